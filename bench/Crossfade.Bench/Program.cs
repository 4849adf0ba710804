using Crossfade.Bench;

return args.FirstOrDefault() switch
{
    "zero-downtime" => await ZeroDowntime.RunAsync(args.Skip(1).ToArray()),
    "proxy-overhead" => await ProxyOverhead.RunAsync(args.Skip(1).ToArray()),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: ./bench/run <zero-downtime|proxy-overhead> [options]");
    return 2;
}
