using System.Globalization;
using System.Net.Http.Json;
using Crossfade.Agent.Instances;
using Crossfade.Contracts.V1;

namespace Crossfade.Agent.Proxy;

/// <summary>
/// The proxies of ports several apps share by host name (the spec's <c>proxy.hosts</c>): one per port, under
/// <c>proxies/&lt;port&gt;</c> of the agent's root (its record, sites file and access log), each app a site on it.
/// Each site brings its own certificates, redirect and HSTS, changed in place; the HTTPS port is the proxy's,
/// so apps sharing a port share it, and an app asking for another is refused, naming the app that set it.
/// </summary>
internal sealed class SharedProxies(AgentOptions options, TimeProvider time, ProxyProcesses processes)
{
    /// <summary>How proxy processes are started and asked, shared with the keeper of apps' own proxies.</summary>
    public ProxyProcesses Launcher => processes;

    private string FolderOf(int port) => Path.Combine(Path.GetFullPath(options.Root), "proxies", port.ToString(CultureInfo.InvariantCulture));

    /// <summary>The proxy of <paramref name="port"/>, found or started, with this app registered as a site on it.</summary>
    public async Task<ProxyRecord> EnsureAsync(HostLayout layout, ProxyRecord? recorded, int port, ProxyTls? settings, IReadOnlyList<string> hosts, CancellationToken ct)
    {
        var folder = FolderOf(port);
        Directory.CreateDirectory(folder);
        var recordFile = Path.Combine(folder, "proxy.json");
        var shared = SharedProxy.Load(recordFile);
        var app = Path.GetFileName(layout.AppDir);
        var running = shared is not null && Processes.IsAlive(shared.Record.Process) && await processes.AnswersAsync(shared.Record.ControlPort, ct);
        // The HTTPS port it serves now, asked of it (a proxy too old to say has the one it was started with).
        var serving = !running ? null
            : await ProxyProcesses.ServingAsync(shared!.Record.ControlPort, ct) is { } view ? view.Port : ProxyProcesses.TlsPortIn(shared.Record.Tls);
        // An app without HTTPS joins whatever port the proxy has. One with HTTPS needs the proxy's, unless no other
        // app uses HTTPS there: then the port opens (or moves) for it, in place.
        if (running && settings is not null && serving is { } other && other != settings.Port
            && await HttpsUsersAsync(shared!.Record.ControlPort, except: app, ct) is { Count: > 0 } users)
            throw new InvalidOperationException($"the proxy on port {port} serves HTTPS on port {other} for '{string.Join("', '", users)}': apps sharing a port by host name share its HTTPS port, not {settings.Port}");
        var moved = running && settings is not null && serving != settings.Port && await ProxyProcesses.MoveTlsAsync(shared!.Record.ControlPort, settings.Port, ct);
        if (!running || settings is not null && serving != settings.Port && !moved)
        {
            if (shared is not null)
                await Processes.StopAsync(shared.Record.Process, TimeSpan.FromSeconds(2), time);
            // This app's own proxy on the port, from before it named its hosts, gives the port up.
            if (recorded is { Site: null })
                await Processes.StopAsync(recorded.Process, TimeSpan.FromSeconds(2), time);
            // Started again for HTTPS, it keeps the HTTPS port it had for the apps on it.
            var tlsPort = settings?.Port ?? (shared is null ? null : ProxyProcesses.TlsPortIn(shared.Record.Tls));
            var tls = tlsPort is { } p ? TlsArguments(p) : null;
            var controlPort = shared?.Record.ControlPort is { } kept && kept != port && kept != tlsPort ? kept : FreePorts.NextExcept(port);
            var arguments = $"--sites {Processes.Quote(Path.Combine(folder, "sites.json"))} --sites-root {Processes.Quote(Path.GetFullPath(options.Root))}"
                + $" --access-log {Processes.Quote(Path.Combine(folder, "access.log"))}" + (tls is null ? "" : " " + tls);
            var process = await processes.StartAsync(port, controlPort, arguments, folder, Path.Combine(folder, "proxy.log"), ct);
            shared = new SharedProxy(new ProxyRecord(process, port, controlPort, tls), settings is null && shared is not null ? shared.StartedBy : app);
            shared.Save(recordFile);
        }
        using var registered = await ProxyProcesses.Control.PutAsJsonAsync($"http://127.0.0.1:{shared!.Record.ControlPort}/sites/{app}",
            new Sites.SiteRequest(hosts, settings is null ? null : ProxyProcesses.HttpsOf(settings)), ct);
        if (!registered.IsSuccessStatusCode)
        {
            var problem = await ProxyProcesses.ProblemAsync(registered, ct);
            // A port opened or moved for this app alone goes back: the proxy is left as it was.
            if (moved)
                await ProxyProcesses.MoveTlsAsync(shared.Record.ControlPort, serving, ct);
            throw new InvalidOperationException($"the proxy on port {port} refused '{app}': {problem}");
        }
        if (moved)
        {
            shared = shared with { Record = shared.Record with { Tls = TlsArguments(settings!.Port) }, StartedBy = app };
            shared.Save(recordFile);
        }
        // An app that stopped asking for HTTPS may have been the last to use the port: it closes then.
        if (settings is null)
            shared = await CloseHttpsIfUnusedAsync(shared, recordFile, ct);
        return shared.Record with { Site = app };
    }

    private static string TlsArguments(int port) => $"--tls-port {port.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>The apps on the proxy, other than <paramref name="except"/>, that bring certificates to its HTTPS port.</summary>
    private static async Task<IReadOnlyList<string>> HttpsUsersAsync(int controlPort, string except, CancellationToken ct)
    {
        var sites = await ProxyProcesses.Control.GetFromJsonAsync<List<Sites.SiteView>>($"http://127.0.0.1:{controlPort}/sites", ct) ?? [];
        return sites.Where(s => s.Name != except && s.Https?.Certificates is { Count: > 0 }).Select(s => s.Name).ToList();
    }

    /// <summary>Closes the proxy's HTTPS port when no app on it uses HTTPS any more, and records that.</summary>
    private static async Task<SharedProxy> CloseHttpsIfUnusedAsync(SharedProxy shared, string recordFile, CancellationToken ct)
    {
        var control = shared.Record.ControlPort;
        if (await ProxyProcesses.ServingAsync(control, ct) is not { Port: not null } || (await HttpsUsersAsync(control, except: "", ct)).Count > 0
            || !await ProxyProcesses.MoveTlsAsync(control, null, ct))
            return shared;
        var closed = shared with { Record = shared.Record with { Tls = null } };
        closed.Save(recordFile);
        return closed;
    }

    /// <summary>Takes an app's site off a shared proxy; its HTTPS port closes when no app left uses it, and the proxy stops when no site is left on it.</summary>
    public async Task LeaveAsync(ProxyRecord shared, string site, CancellationToken ct)
    {
        var recordFile = Path.Combine(FolderOf(shared.Port), "proxy.json");
        try
        {
            using var _ = await ProxyProcesses.Control.DeleteAsync($"http://127.0.0.1:{shared.ControlPort}/sites/{Uri.EscapeDataString(site)}", ct);
            var left = await ProxyProcesses.Control.GetFromJsonAsync<List<Sites.SiteView>>($"http://127.0.0.1:{shared.ControlPort}/sites", ct);
            if (left is { Count: > 0 })
            {
                if (SharedProxy.Load(recordFile) is { } kept && kept.Record.ControlPort == shared.ControlPort)
                    await CloseHttpsIfUnusedAsync(kept, recordFile, ct);
                return;
            }
        }
        catch (HttpRequestException)
        {
            // Not answering: nothing serves there to leave.
        }
        await Processes.StopAsync(shared.Process, TimeSpan.FromSeconds(2), time);
        File.Delete(recordFile);
    }
}
