using System.Net;
using System.Net.Http.Json;
using Crossfade.Agent.Instances;
using Crossfade.Contracts.V1;

namespace Crossfade.Agent.Proxy;

/// <summary>What the agent does with any proxy process: start it, ask whether it answers, and give it an app's HTTPS settings.</summary>
internal sealed class ProxyProcesses(AgentOptions options, TimeProvider time)
{
    public static readonly HttpClient Control = new(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromMinutes(10) };

    /// <summary>Starts <c>crossfade proxy</c> on <paramref name="port"/> and waits until its control port answers.</summary>
    public async Task<ProcessRef> StartAsync(int port, int controlPort, string arguments, string folder, string log, CancellationToken ct)
    {
        var command = string.Join(' ', options.SelfCommand.Select(Processes.Quote)) + $" proxy --port {port} --control-port {controlPort} {arguments}";
        var process = Processes.Start(command, folder, ProxyKeeper.ProcessEnvironment, log);
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

    public async Task<bool> AnswersAsync(int controlPort, CancellationToken ct)
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

    /// <summary>
    /// Gives a running proxy its one app's new HTTPS settings in place: the HTTPS port opened, moved or closed
    /// (<c>PUT /tls/port</c>), then its certificates, redirect and HSTS (<c>PUT /tls</c>). True when taken, false
    /// when the proxy is too old to take them (it is then started again). What the proxy cannot do (a port
    /// taken, files it cannot load) is refused with its reason, and it goes on serving what it served.
    /// </summary>
    public static async Task<bool> ApplyAsync(int controlPort, ProxyTls? settings, CancellationToken ct)
    {
        // The port the proxy serves now, asked of it: a record can be out of step after a move that went half way.
        if (await ServingAsync(controlPort, ct) is not { } now)
            return false;
        var serving = now.Port;
        var moving = settings?.Port != serving;
        if (moving && !await MoveTlsAsync(controlPort, settings?.Port, ct))
            return false;
        if (settings is null)
            return true;
        try
        {
            return await PutAsync(controlPort, "tls", HttpsOf(settings), "HTTPS settings", ct);
        }
        catch (InvalidOperationException) when (moving)
        {
            // Settings refused on the new port: the port goes back to where it served them from.
            try
            {
                await MoveTlsAsync(controlPort, serving, ct);
            }
            catch (Exception ex) when (ex is InvalidOperationException or HttpRequestException)
            {
                // The refusal above is the reason to report.
            }
            throw;
        }
    }

    /// <summary>What a running proxy's HTTPS port serves (<c>GET /tls</c>), or null when it is too old to say.</summary>
    public static async Task<Tls.TlsView?> ServingAsync(int controlPort, CancellationToken ct)
    {
        using var response = await Control.GetAsync($"http://127.0.0.1:{controlPort}/tls", ct);
        return response.IsSuccessStatusCode ? await response.Content.ReadFromJsonAsync<Tls.TlsView>(ct) : null;
    }

    /// <summary>Opens, moves or closes a running proxy's HTTPS port; false when it is too old to.</summary>
    public static Task<bool> MoveTlsAsync(int controlPort, int? port, CancellationToken ct) =>
        PutAsync(controlPort, "tls/port", new Tls.PortRequest(port), "HTTPS port", ct);

    private static async Task<bool> PutAsync<T>(int controlPort, string path, T body, string what, CancellationToken ct)
    {
        using var response = await Control.PutAsJsonAsync($"http://127.0.0.1:{controlPort}/{path}", body, ct);
        if (response.IsSuccessStatusCode)
            return true;
        if (response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.MethodNotAllowed)
            return false;
        throw new InvalidOperationException($"the proxy refused the {what}: {await ProblemAsync(response, ct)}");
    }

    /// <summary>The spec's HTTPS settings as the proxy's control port takes them.</summary>
    public static Tls.HttpsSettings HttpsOf(ProxyTls settings) =>
        new(settings.Certificates.Select(c => new Tls.CertificateFiles(c.Hosts, c.Cert, c.Key)).ToList(), settings.RedirectHttps,
            settings.HstsMaxAgeSeconds > 0 ? settings.HstsMaxAgeSeconds : null);

    /// <summary>The HTTPS port on a proxy's recorded command-line options (<c>--tls-port</c>), or null.</summary>
    public static int? TlsPortIn(string? arguments)
    {
        var words = (arguments ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(w => w.Trim('\'')).ToList();
        var at = words.IndexOf("--tls-port");
        return at >= 0 && at + 1 < words.Count && int.TryParse(words[at + 1], System.Globalization.CultureInfo.InvariantCulture, out var port) ? port : null;
    }

    public static async Task<string> ProblemAsync(HttpResponseMessage response, CancellationToken ct)
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
}
