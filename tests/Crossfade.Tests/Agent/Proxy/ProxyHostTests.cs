using System.Net;
using System.Net.Http.Json;
using Crossfade.Agent.Instances;
using Crossfade.Agent.Proxy;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Crossfade.Tests.Agent.Proxy;

public sealed class ProxyHostTests : IAsyncLifetime
{
    private readonly int _port = FreePorts.Next();
    private readonly int _control = FreePorts.Next();
    private readonly string _dir = Directory.CreateTempSubdirectory("cf-proxy-").FullName;
    private readonly List<WebApplication> _apps = [];
    private readonly HttpClient _client = new(new SocketsHttpHandler { UseProxy = false });
    private WebApplication _proxy = null!;

    private string AccessLog => Path.Combine(_dir, "access.log");

    public async Task InitializeAsync()
    {
        _proxy = ProxyHost.Build(new ProxyOptions { Port = _port, ControlPort = _control, StateFile = Path.Combine(_dir, "state.json"), AccessLog = AccessLog });
        await _proxy.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _proxy.StopAsync();
        foreach (var app in _apps)
            await app.StopAsync();
        Directory.Delete(_dir, recursive: true);
    }

    /// <summary>A small upstream that names itself, echoes what it received, and can hold a request open.</summary>
    private async Task<int> UpstreamAsync(string name, TaskCompletionSource? hold = null)
    {
        var port = FreePorts.Next();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        var app = builder.Build();
        app.MapGet("/who", () => name);
        app.MapGet("/slow", async () => { await hold!.Task; return name; });
        app.MapGet("/headers", (HttpRequest r) => r.Headers.ToDictionary(h => h.Key, h => h.Value.ToString()));
        app.MapPost("/echo", async (HttpRequest r) => Results.Text(await new StreamReader(r.Body).ReadToEndAsync()));
        await app.StartAsync();
        _apps.Add(app);
        return port;
    }

    private Task<SwapResult?> SwapAsync(int upstreamPort, string release, int drainSeconds = 5) =>
        _client.PutAsJsonAsync($"http://127.0.0.1:{_control}/upstream", new SwapRequest($"http://127.0.0.1:{upstreamPort}/", release, drainSeconds))
            .ContinueWith(t => t.Result.Content.ReadFromJsonAsync<SwapResult>()).Unwrap();

    [Fact]
    public async Task Forward_NoUpstreamYet_Answers503WithReason()
    {
        var response = await _client.GetAsync($"http://127.0.0.1:{_port}/who");

        response.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
        (await response.Content.ReadAsStringAsync()).ShouldContain("no release is live");
    }

    [Fact]
    public async Task Forward_StreamsBodiesBothWaysAndSetsForwardedHeaders()
    {
        await SwapAsync(await UpstreamAsync("one"), "r1");
        var body = new string('x', 300_000);

        var echo = await _client.PostAsync($"http://127.0.0.1:{_port}/echo", new StringContent(body));
        var request = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{_port}/headers");
        request.Headers.Add("Connection", "X-Secret");
        request.Headers.Add("X-Secret", "hop");
        request.Headers.Add("Keep-Alive", "timeout=5");
        request.Headers.Add("X-Kept", "end-to-end");
        var headers = await (await _client.SendAsync(request)).Content.ReadFromJsonAsync<Dictionary<string, string>>();

        (await echo.Content.ReadAsStringAsync()).ShouldBe(body);
        headers.ShouldNotBeNull();
        headers.ShouldContainKey("X-Forwarded-For");
        headers["X-Forwarded-Proto"].ShouldBe("http");
        headers["X-Forwarded-Host"].ShouldBe($"127.0.0.1:{_port}");
        headers["X-Kept"].ShouldBe("end-to-end");
        headers.ShouldNotContainKey("X-Secret");
        headers.ShouldNotContainKey("Keep-Alive");
    }

    [Fact]
    public async Task Swap_NewRequestsGoToNewUpstream_InFlightOnesFinishOnOld()
    {
        var hold = new TaskCompletionSource();
        await SwapAsync(await UpstreamAsync("old", hold), "r1");
        var slow = _client.GetStringAsync($"http://127.0.0.1:{_port}/slow");
        await Task.Delay(200);

        var swap = SwapAsync(await UpstreamAsync("new"), "r2");
        await Task.Delay(200);
        var during = await _client.GetStringAsync($"http://127.0.0.1:{_port}/who");
        swap.IsCompleted.ShouldBeFalse();
        hold.SetResult();

        during.ShouldBe("new");
        (await slow).ShouldBe("old");
        var result = (await swap)!;
        result.Drained.ShouldBeTrue();
        result.PreviousRelease.ShouldBe("r1");
    }

    [Fact]
    public async Task Swap_DrainIsBounded_WhenOldRequestNeverEnds()
    {
        var hold = new TaskCompletionSource();
        await SwapAsync(await UpstreamAsync("old", hold), "r1");
        _ = _client.GetStringAsync($"http://127.0.0.1:{_port}/slow");
        await Task.Delay(200);

        var result = (await SwapAsync(await UpstreamAsync("new"), "r2", drainSeconds: 1))!;
        hold.SetResult();

        result.Drained.ShouldBeFalse();
        result.InFlightLeft.ShouldBe(1);
        result.DrainMs.ShouldBeInRange(900, 5000);
    }

    [Fact]
    public async Task Restart_ServesTheUpstreamItWasLastGiven()
    {
        await SwapAsync(await UpstreamAsync("kept"), "r7");
        await _proxy.StopAsync();

        _proxy = ProxyHost.Build(new ProxyOptions { Port = _port, ControlPort = _control, StateFile = Path.Combine(_dir, "state.json") });
        await _proxy.StartAsync();

        (await _client.GetStringAsync($"http://127.0.0.1:{_port}/who")).ShouldBe("kept");
    }

    [Fact]
    public async Task AccessLog_OneJsonLinePerRequest_WithStatusAndRelease()
    {
        await SwapAsync(await UpstreamAsync("one"), "r1");
        for (var i = 0; i < 5; i++)
            await _client.GetAsync($"http://127.0.0.1:{_port}/who?i={i}");
        await _client.GetAsync($"http://127.0.0.1:{_port}/missing");
        await Task.Delay(300);

        var lines = File.ReadAllLines(AccessLog).Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement).ToList();

        lines.Count.ShouldBe(6);
        lines.Count(l => l.GetProperty("status").GetInt32() == 200 && l.GetProperty("path").GetString() == "/who").ShouldBe(5);
        lines.ShouldContain(l => l.GetProperty("status").GetInt32() == 404);
        lines.ShouldAllBe(l => l.GetProperty("release").GetString() == "r1");
    }
}
