using Crossfade.Agent.Checks;
using Crossfade.Agent.Instances;
using Crossfade.Agent.Proxy;
using Crossfade.Agent.Releases;
using Crossfade.Agent.Steps;
using Microsoft.Extensions.Logging;

namespace Crossfade.Agent.Hosting;

/// <summary>Composes an agent from its options.</summary>
public static class AgentHost
{
    public static AgentRunner Build(AgentOptions options, ILoggerFactory logs, TimeProvider? time = null)
    {
        options.Validate();
        var clock = time ?? TimeProvider.System;
        Directory.CreateDirectory(options.Root);
        var tls = new Core.Links.PinnedTls(ServerPin.Choose(options));
        var http = new HttpClient(tls.Handler())
        {
            BaseAddress = new Uri(options.Server.TrimEnd('/') + "/"),
            Timeout = options.PollWait + TimeSpan.FromSeconds(30),
        };
        var server = new ServerClient(http);
        var state = new HostStateStore(Path.Combine(options.Root, "state.json"));
        var launcher = new InstanceLauncher(options.Name, clock);
        var proxies = new ProxyKeeper(options, clock);
        var processes = new OsProcesses(clock);
        var masks = new Secrets.SecretMasks(options.Root);
        var steps = new HostSteps(options, state, new ReleaseStager(server, clock), launcher, proxies, processes, new LoopbackPorts(),
            new CriticalPathChecker(clock), new RecentTrafficWarmUp(clock), masks, clock);
        var supervisor = new Supervisor(state, launcher, proxies, processes, options, clock, logs.CreateLogger<Supervisor>());
        var shipper = new Shipping.Shipper(options.Root, state, http, clock, logs.CreateLogger<Shipping.Shipper>(), options.MaxSpoolBytes, masks, options.ShipBackoffMax);
        var builder = options.Roles.Contains(Builds.BuilderLoop.Role, StringComparer.Ordinal)
            ? new Builds.BuilderLoop(options, new ServerClient(BuildsClient(options, tls)), clock, logs.CreateLogger<Builds.BuilderLoop>())
            : null;
        return new AgentRunner(options, server, state, steps, supervisor, shipper, masks, clock, logs.CreateLogger<AgentRunner>(), builder, tls);
    }

    /// <summary>A builder's own link: a release archive may take longer to send than a poll lasts.</summary>
    private static HttpClient BuildsClient(AgentOptions options, Core.Links.PinnedTls tls) => new(tls.Handler())
    {
        BaseAddress = new Uri(options.Server.TrimEnd('/') + "/"),
        Timeout = TimeSpan.FromMinutes(30),
    };

    /// <summary>
    /// Stops every process the agent at <paramref name="root"/> started (its proxies and instances), for
    /// tearing down a demo or a test, or for a host taken out of service; with <paramref name="forget"/> its
    /// state no longer names them, so an agent started there again does not start them again. Returns how
    /// many were running.
    /// </summary>
    public static async Task<int> StopEverythingAsync(string root, TimeProvider? time = null, bool forget = false)
    {
        var path = Path.Combine(root, "state.json");
        var state = File.Exists(path) ? HostState.Load(path) : new HostState();
        // The proxies several apps share are kept by port, beside the apps: each is stopped once.
        var shared = Directory.Exists(Path.Combine(root, "proxies"))
            ? Directory.EnumerateFiles(Path.Combine(root, "proxies"), "proxy.json", SearchOption.AllDirectories).ToList()
            : [];
        var all = state.Apps.Values.SelectMany(a => new[] { a.Live?.Process, a.Candidate?.Process, a.Worker?.Process, a.Previous?.Process, a.Proxy?.Process })
            .Concat(shared.Select(f => Proxy.SharedProxy.Load(f)?.Record.Process))
            .OfType<ProcessRef>().Distinct().Where(Processes.IsAlive).ToList();
        await Task.WhenAll(all.Select(p => Processes.StopAsync(p, TimeSpan.FromSeconds(5), time ?? TimeProvider.System)));
        if (forget)
        {
            foreach (var app in state.Apps.Values)
                (app.Live, app.Candidate, app.Worker, app.Previous, app.Proxy) = (null, null, null, null, null);
            if (File.Exists(path))
                state.Save(path);
            // A shared proxy started again later must not route the old sites to upstreams that are gone.
            foreach (var file in shared)
            {
                File.Delete(file);
                File.Delete(Path.Combine(Path.GetDirectoryName(file)!, "sites.json"));
            }
        }
        return all.Count;
    }
}
