using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using Crossfade.Agent.Instances;
using Crossfade.Agent.Proxy;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;

namespace Crossfade.Tests.Agent.Proxy;

/// <summary>
/// A host proxy in-process on free loopback ports with its own folder, the Kestrel upstreams a test
/// swaps it to, and the ways a test talks to it: HTTP, the control endpoint, raw bytes.
/// </summary>
internal sealed class TestProxy : IAsyncDisposable
{
    private readonly ProxyOptions _options;
    private readonly List<WebApplication> _upstreams = [];
    private WebApplication _host = null!;

    private TestProxy(string dir, ProxyOptions options)
    {
        Dir = dir;
        _options = options;
    }

    public string Dir { get; }

    public int Port => _options.Port;

    public int ControlPort => _options.ControlPort;

    public string AccessLog => _options.AccessLog!;

    public HttpClient Http { get; } = new(new SocketsHttpHandler { UseProxy = false });

    public string Url(string path) => $"http://127.0.0.1:{Port}{path}";

    public static async Task<TestProxy> StartAsync(Action<ProxyOptions>? configure = null)
    {
        var dir = Directory.CreateTempSubdirectory("cf-proxy-").FullName;
        var options = new ProxyOptions
        {
            Port = FreePorts.Next(), ControlPort = FreePorts.Next(),
            StateFile = Path.Combine(dir, "state.json"), AccessLog = Path.Combine(dir, "access.log"),
        };
        configure?.Invoke(options);
        var proxy = new TestProxy(dir, options) { _host = ProxyHost.Build(options) };
        await proxy._host.StartAsync();
        return proxy;
    }

    public Task StopAsync() => _host.StopAsync();

    /// <summary>Stops the proxy and starts a new one with the same settings, as a restarted process would be.</summary>
    public async Task RestartAsync()
    {
        await _host.StopAsync();
        await _host.DisposeAsync();
        _host = ProxyHost.Build(_options);
        await _host.StartAsync();
    }

    /// <summary>Starts a Kestrel upstream on a free loopback port with what <paramref name="map"/> adds; returns its port.</summary>
    public async Task<int> UpstreamAsync(Action<WebApplication> map)
    {
        var port = FreePorts.Next();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        var app = builder.Build();
        map(app);
        await app.StartAsync();
        _upstreams.Add(app);
        return port;
    }

    /// <summary>Makes the upstream on <paramref name="port"/> live through the control endpoint, as the agent does.</summary>
    public async Task<SwapResult> SwapAsync(int port, string release = "r1", int drainSeconds = 5)
    {
        var response = await Http.PutAsJsonAsync($"http://127.0.0.1:{_options.ControlPort}/upstream", new SwapRequest($"http://127.0.0.1:{port}/", release, drainSeconds));
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<SwapResult>())!;
    }

    /// <summary>Splits a share of the clients off to the upstream on <paramref name="port"/> (0: ends the split), as the agent would.</summary>
    public async Task<HttpResponseMessage> SplitAsync(int? port, string? release, int weightPercent) =>
        await Http.PutAsJsonAsync($"http://127.0.0.1:{_options.ControlPort}/split",
            new SplitRequest(port is null ? null : $"http://127.0.0.1:{port}/", release, weightPercent, 5));

    /// <summary>What the control endpoint says the proxy serves.</summary>
    public async Task<UpstreamView> UpstreamViewAsync() =>
        (await Http.GetFromJsonAsync<UpstreamView>($"http://127.0.0.1:{_options.ControlPort}/upstream"))!;

    /// <summary>Sends raw bytes on one connection and reads until the proxy closes it or <paramref name="complete"/> says the answers are in.</summary>
    public async Task<string> RawAsync(string request, Func<string, bool>? complete = null)
    {
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(IPAddress.Loopback, Port);
        await socket.SendAsync(Encoding.Latin1.GetBytes(request));
        return await ReadAsync(socket, complete);
    }

    /// <summary>Reads from a socket until it closes or <paramref name="complete"/> says enough, within 10 s.</summary>
    public static async Task<string> ReadAsync(Socket socket, Func<string, bool>? complete = null)
    {
        var received = new StringBuilder();
        var buffer = new byte[65536];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (complete?.Invoke(received.ToString()) != true)
        {
            var n = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
            if (n == 0)
                break;
            received.Append(Encoding.Latin1.GetString(buffer, 0, n));
        }
        return received.ToString();
    }

    /// <summary>The last access record that contains <paramref name="part"/>, waiting for the writer's beat.</summary>
    public async Task<string> AccessRecordAsync(string part)
    {
        for (var i = 0; i < 100; i++)
        {
            var line = File.Exists(AccessLog) ? File.ReadLines(AccessLog).LastOrDefault(l => l.Contains(part, StringComparison.Ordinal)) : null;
            if (line is not null)
                return line;
            await Task.Delay(50);
        }
        throw new InvalidOperationException($"no access record with {part} in {AccessLog}");
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        await _host.DisposeAsync();
        foreach (var app in _upstreams)
            await app.DisposeAsync();
        Http.Dispose();
        Directory.Delete(Dir, recursive: true);
    }
}
