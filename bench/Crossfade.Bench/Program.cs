using Crossfade.Bench;

return args.FirstOrDefault() switch
{
    "zero-downtime" => await ZeroDowntime.RunAsync(args.Skip(1).ToArray()),
    "proxy-overhead" => await ProxyOverhead.RunAsync(args.Skip(1).ToArray()),
    "deploy-scale" => await DeployScale.RunAsync(args.Skip(1).ToArray()),
    "faults" => await Faults.RunAsync(args.Skip(1).ToArray()),
    "converge" => await Converge.RunAsync(args.Skip(1).ToArray()),
    "ingest" => await Ingest.RunAsync(args.Skip(1).ToArray()),
    "shipping-outage" => await ShippingOutage.RunAsync(args.Skip(1).ToArray()),
    "judge" => await Judge.RunAsync(args.Skip(1).ToArray()),
    "dashboard" => await Dashboard.RunAsync(args.Skip(1).ToArray()),
    "push-to-live" => await PushToLive.RunAsync(args.Skip(1).ToArray()),
    "bootstrap" => await Bootstrap.RunAsync(args.Skip(1).ToArray()),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: ./bench/run <zero-downtime|proxy-overhead|deploy-scale|faults|converge|ingest|shipping-outage|judge|dashboard|push-to-live [rounds] [--on builder]|bootstrap [hosts]> [options]");
    return 2;
}
