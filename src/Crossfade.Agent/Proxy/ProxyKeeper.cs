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

    public async Task<ProxyRecord> EnsureAsync(HostLayout layout, ProxyRecord? recorded, Contracts.V1.AppRuntime runtime, CancellationToken ct)
    {
        var port = options.ProxyPort ?? runtime.ProxyPort;
        // HTTPS settings changed in the spec start the proxy again with them (its certificates' files are read again without that).
        var settings = runtime.Tls is { } asked && options.ProxyTlsPort is { } own ? asked with { Port = own } : runtime.Tls;
        var tls = settings is null ? null : string.Join(' ', settings.Arguments().Select(Processes.Quote));
        if (recorded is not null && recorded.Port == port && recorded.Tls == tls && Processes.IsAlive(recorded.Process) && await AnswersAsync(recorded.ControlPort, ct))
            return recorded;
        if (recorded is not null)
            await Processes.StopAsync(recorded.Process, TimeSpan.FromSeconds(2), time);
        var controlPort = recorded?.ControlPort is { } kept && kept != port && kept != settings?.Port ? kept : FreePorts.NextExcept(port);
        var command = string.Join(' ', options.SelfCommand.Select(Processes.Quote)) +
            $" proxy --port {port} --control-port {controlPort} --state {Processes.Quote(layout.ProxyState)} --access-log {Processes.Quote(layout.AccessLog)}"
            + (tls is null ? "" : " " + tls);
        Directory.CreateDirectory(layout.Logs);
        var process = Processes.Start(command, layout.AppDir, ProcessEnvironment, Path.Combine(layout.Logs, "proxy.log"));
        var record = new ProxyRecord(process, port, controlPort, tls);
        for (var i = 0; i < 200 && !ct.IsCancellationRequested; i++)
        {
            if (await AnswersAsync(controlPort, ct))
                return record;
            if (!Processes.IsAlive(process))
                break;
            await Task.Delay(TimeSpan.FromMilliseconds(50), time, ct);
        }
        throw new IOException($"the proxy did not start on port {port} (control {controlPort}); see shared/log/proxy.log");
    }

    public async Task<SwapResult> SwapAsync(ProxyRecord proxy, SwapRequest request, CancellationToken ct)
    {
        using var response = await Control.PutAsJsonAsync($"http://127.0.0.1:{proxy.ControlPort}/upstream", request, ct);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<SwapResult>(ct))!;
    }

    public async Task<string?> SplitAsync(ProxyRecord proxy, SplitRequest request, CancellationToken ct)
    {
        using var response = await Control.PutAsJsonAsync($"http://127.0.0.1:{proxy.ControlPort}/split", request, ct);
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
            return await Control.GetFromJsonAsync<UpstreamView>($"http://127.0.0.1:{proxy.ControlPort}/upstream", ct);
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
