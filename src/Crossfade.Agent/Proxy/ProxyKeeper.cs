using System.Net.Http.Json;
using Crossfade.Agent.Instances;

namespace Crossfade.Agent.Proxy;

/// <summary>The agent's side of the proxy: keeps the process running and drives its control endpoint.</summary>
public sealed class ProxyKeeper(AgentOptions options, TimeProvider time) : IProxyControl
{
    /// <summary>
    /// The proxy process's runtime settings. Call counting starts at once instead of after a quiet 100 ms,
    /// which a proxy under steady load never has: hot paths reach optimized code in about 15 s instead of
    /// about 25 s on 2 busy cores. Socket completions run on the thread that polled them instead of being
    /// handed to the thread pool: the relay never blocks, and the hand-offs (two context switches per
    /// request) were most of its cost (BENCHMARKS.md).
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> ProcessEnvironment = new Dictionary<string, string>
    {
        ["DOTNET_TC_CallCountingDelayMs"] = "0",
        ["DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS"] = "1",
    };

    private static readonly HttpClient Control = new(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromMinutes(10) };

    // Two apps' steps may ensure the proxy of one port at once: one starts it, the other finds it.
    private readonly SemaphoreSlim _ensuring = new(1, 1);

    public async Task<ProxyRecord> EnsureAsync(HostLayout layout, ProxyRecord? recorded, Contracts.V1.AppRuntime runtime, CancellationToken ct)
    {
        var port = options.ProxyPort ?? runtime.ProxyPort;
        // HTTPS settings changed in the spec start the proxy again with them (its certificates' files are read again without that).
        var settings = runtime.Tls is { } asked && options.ProxyTlsPort is { } own ? asked with { Port = own } : runtime.Tls;
        var tls = settings is null ? null : string.Join(' ', settings.Arguments().Select(Processes.Quote));
        await _ensuring.WaitAsync(ct);
        try
        {
            // An app that was a site on a shared proxy of another port, or that names no hosts any more, leaves it.
            if (recorded is { Site: { } site } && (runtime.ProxyHosts is not { Count: > 0 } || recorded.Port != port))
            {
                await LeaveAsync(recorded, site, ct);
                recorded = null;
            }
            if (runtime.ProxyHosts is { Count: > 0 } hosts)
                return await EnsureSharedAsync(layout, recorded, port, settings?.Port, tls, hosts, ct);
            if (recorded is not null && recorded.Site is null && recorded.Port == port && recorded.Tls == tls && Processes.IsAlive(recorded.Process) && await AnswersAsync(recorded.ControlPort, ct))
                return recorded;
            // An app leaving a shared proxy leaves it to the others; its own proxy was this app's alone.
            if (recorded is { Site: null })
                await Processes.StopAsync(recorded.Process, TimeSpan.FromSeconds(2), time);
            var controlPort = recorded?.ControlPort is { } kept && kept != port && kept != settings?.Port ? kept : FreePorts.NextExcept(port);
            var arguments = $"--state {Processes.Quote(layout.ProxyState)} --access-log {Processes.Quote(layout.AccessLog)}" + (tls is null ? "" : " " + tls);
            Directory.CreateDirectory(layout.Logs);
            var process = await StartAsync(port, controlPort, arguments, layout.AppDir, Path.Combine(layout.Logs, "proxy.log"), ct);
            return new ProxyRecord(process, port, controlPort, tls);
        }
        finally
        {
            _ensuring.Release();
        }
    }

    /// <summary>
    /// The proxy of a port several apps share by host name (the spec's <c>proxy.hosts</c>): found, or started
    /// with its sites file (under <c>proxies/&lt;port&gt;</c> of the agent's root, where its record is kept too),
    /// and this app registered as a site on it. Apps sharing a port share its HTTPS settings: an app asking for
    /// others than the proxy was started with is refused, naming the app that started it.
    /// </summary>
    private async Task<ProxyRecord> EnsureSharedAsync(HostLayout layout, ProxyRecord? recorded, int port, int? tlsPort, string? tls, IReadOnlyList<string> hosts, CancellationToken ct)
    {
        var folder = Path.Combine(Path.GetFullPath(options.Root), "proxies", port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Directory.CreateDirectory(folder);
        var recordFile = Path.Combine(folder, "proxy.json");
        var shared = SharedProxy.Load(recordFile);
        var app = Path.GetFileName(layout.AppDir);
        var running = shared is not null && Processes.IsAlive(shared.Record.Process) && await AnswersAsync(shared.Record.ControlPort, ct);
        if (running && shared!.Record.Tls != tls && shared.StartedBy != app)
            throw new InvalidOperationException($"the proxy on port {port} serves the HTTPS settings of '{shared.StartedBy}': apps sharing a port by host name need the same proxy.tls (certificates for all their names)");
        if (!running || shared!.Record.Tls != tls)
        {
            if (shared is not null)
                await Processes.StopAsync(shared.Record.Process, TimeSpan.FromSeconds(2), time);
            // This app's own proxy on the port, from before it named its hosts, gives the port up.
            if (recorded is { Site: null })
                await Processes.StopAsync(recorded.Process, TimeSpan.FromSeconds(2), time);
            var controlPort = shared?.Record.ControlPort is { } kept && kept != port && kept != tlsPort ? kept : FreePorts.NextExcept(port);
            var arguments = $"--sites {Processes.Quote(Path.Combine(folder, "sites.json"))} --sites-root {Processes.Quote(Path.GetFullPath(options.Root))}"
                + $" --access-log {Processes.Quote(Path.Combine(folder, "access.log"))}" + (tls is null ? "" : " " + tls);
            var process = await StartAsync(port, controlPort, arguments, folder, Path.Combine(folder, "proxy.log"), ct);
            shared = new SharedProxy(new ProxyRecord(process, port, controlPort, tls), app);
            shared.Save(recordFile);
        }
        using var registered = await Control.PutAsJsonAsync($"http://127.0.0.1:{shared.Record.ControlPort}/sites/{app}",
            new Sites.SiteRequest(hosts), ct);
        if (!registered.IsSuccessStatusCode)
            throw new InvalidOperationException($"the proxy on port {port} refused '{app}': {await ProblemAsync(registered, ct)}");
        return shared.Record with { Site = app };
    }

    /// <summary>Takes an app's site off a shared proxy; the proxy stops when no site is left on it.</summary>
    private async Task LeaveAsync(ProxyRecord shared, string site, CancellationToken ct)
    {
        try
        {
            using var _ = await Control.DeleteAsync($"http://127.0.0.1:{shared.ControlPort}/sites/{Uri.EscapeDataString(site)}", ct);
            var left = await Control.GetFromJsonAsync<List<Sites.SiteView>>($"http://127.0.0.1:{shared.ControlPort}/sites", ct);
            if (left is { Count: > 0 })
                return;
        }
        catch (HttpRequestException)
        {
            // Not answering: nothing serves there to leave.
        }
        await Processes.StopAsync(shared.Process, TimeSpan.FromSeconds(2), time);
        File.Delete(Path.Combine(Path.GetFullPath(options.Root), "proxies", shared.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "proxy.json"));
    }

    private async Task<ProcessRef> StartAsync(int port, int controlPort, string arguments, string folder, string log, CancellationToken ct)
    {
        var command = string.Join(' ', options.SelfCommand.Select(Processes.Quote)) + $" proxy --port {port} --control-port {controlPort} {arguments}";
        var process = Processes.Start(command, folder, ProcessEnvironment, log);
        for (var i = 0; i < 200 && !ct.IsCancellationRequested; i++)
        {
            if (await AnswersAsync(controlPort, ct))
                return process;
            if (!Processes.IsAlive(process))
                break;
            await Task.Delay(TimeSpan.FromMilliseconds(50), time, ct);
        }
        throw new IOException($"the proxy did not start on port {port} (control {controlPort}); see {log}");
    }

    private static async Task<string> ProblemAsync(HttpResponseMessage response, CancellationToken ct)
    {
        try
        {
            var problem = await response.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>(ct);
            return problem.TryGetProperty("detail", out var detail) ? detail.GetString() ?? "" : $"it answered {(int)response.StatusCode}";
        }
        catch (System.Text.Json.JsonException)
        {
            return $"it answered {(int)response.StatusCode}";
        }
    }

    /// <summary>The <c>?site=</c> of a proxy's control URL: the app's site on a shared proxy, nothing on an app's own.</summary>
    private static string SiteOf(ProxyRecord proxy) => proxy.Site is null ? "" : $"?site={Uri.EscapeDataString(proxy.Site)}";

    public async Task<SwapResult> SwapAsync(ProxyRecord proxy, SwapRequest request, CancellationToken ct)
    {
        using var response = await Control.PutAsJsonAsync($"http://127.0.0.1:{proxy.ControlPort}/upstream{SiteOf(proxy)}", request, ct);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<SwapResult>(ct))!;
    }

    public async Task<string?> SplitAsync(ProxyRecord proxy, SplitRequest request, CancellationToken ct)
    {
        using var response = await Control.PutAsJsonAsync($"http://127.0.0.1:{proxy.ControlPort}/split{SiteOf(proxy)}", request, ct);
        if (response.IsSuccessStatusCode)
            return null;
        // The proxy says why in a problem document; its detail is the reason a person reads.
        var problem = await response.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>(ct);
        return problem.TryGetProperty("detail", out var detail) ? detail.GetString() : $"the proxy answered {(int)response.StatusCode}";
    }

    public async Task<UpstreamView?> ReadAsync(ProxyRecord proxy, CancellationToken ct)
    {
        try
        {
            return await Control.GetFromJsonAsync<UpstreamView>($"http://127.0.0.1:{proxy.ControlPort}/upstream{SiteOf(proxy)}", ct);
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }

    private async Task<bool> AnswersAsync(int controlPort, CancellationToken ct)
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2), time);
            using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct, timeout.Token);
            using var response = await Control.GetAsync($"http://127.0.0.1:{controlPort}/healthz", cts.Token);
            return response.IsSuccessStatusCode;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            return false;
        }
    }
}
