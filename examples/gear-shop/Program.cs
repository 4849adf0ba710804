using GearShop;

var settings = ShopSettings.Load(AppContext.BaseDirectory);
return args.FirstOrDefault() switch
{
    "migrate" => Migrations.Run(settings),
    "worker" => await OrderWorker.RunAsync(settings),
    _ => await WebShop.RunAsync(settings, args),
};
