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

    private static HttpClient Control => ProxyProcesses.Control;

    private readonly SharedProxies _shared = new(options, time, new ProxyProcesses(options, time));

    private ProxyProcesses Launcher => _shared.Launcher;

    // Two apps' steps may ensure the proxy of one port at once: one starts it, the other finds it.
    private readonly SemaphoreSlim _ensuring = new(1, 1);

    public async Task<ProxyRecord> EnsureAsync(HostLayout layout, ProxyRecord? recorded, Contracts.V1.AppRuntime runtime, CancellationToken ct)
    {
        var port = options.ProxyPort ?? runtime.ProxyPort;
        var settings = runtime.Tls is { } asked && options.ProxyTlsPort is { } own ? asked with { Port = own } : runtime.Tls;
        var tls = settings is null ? null : string.Join(' ', settings.Arguments().Select(Processes.Quote));
        await _ensuring.WaitAsync(ct);
        try
        {
            // An app that was a site on a shared proxy of another port, or that names no hosts any more, leaves it.
            if (recorded is { Site: { } site } && (runtime.ProxyHosts is not { Count: > 0 } || recorded.Port != port))
            {
                await _shared.LeaveAsync(recorded, site, ct);
                recorded = null;
            }
            if (runtime.ProxyHosts is { Count: > 0 } hosts)
                return await _shared.EnsureAsync(layout, recorded, port, settings, hosts, ct);
            if (recorded is { Site: null } && recorded.Port == port && Processes.IsAlive(recorded.Process) && await Launcher.AnswersAsync(recorded.ControlPort, ct))
            {
                if (recorded.Tls == tls)
                    return recorded;
                // Other HTTPS settings — the port opened, moved or closed, certificates, redirect, HSTS — are taken in
                // place: no restart, no connection dropped on the plain port.
                if (await ProxyProcesses.ApplyAsync(recorded.ControlPort, settings, ct))
                    return recorded with { Tls = tls };
            }
            // Not running, on another port, or too old to take settings in place: started (again) with them.
            // An app leaving a shared proxy leaves it to the others.
            if (recorded is { Site: null })
                await Processes.StopAsync(recorded.Process, TimeSpan.FromSeconds(2), time);
            var controlPort = recorded?.ControlPort is { } kept && kept != port && kept != settings?.Port ? kept : FreePorts.NextExcept(port);
            var arguments = $"--state {Processes.Quote(layout.ProxyState)} --access-log {Processes.Quote(layout.AccessLog)}" + (tls is null ? "" : " " + tls);
            Directory.CreateDirectory(layout.Logs);
            var process = await Launcher.StartAsync(port, controlPort, arguments, layout.AppDir, Path.Combine(layout.Logs, "proxy.log"), ct);
            return new ProxyRecord(process, port, controlPort, tls);
        }
        finally
        {
            _ensuring.Release();
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
}
