using System.Net;
using System.Net.Http.Json;
using Crossfade.Agent.Proxy;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Crossfade.Tests.Agent.Proxy;

public sealed class ProxyHostTests : IAsyncLifetime
{
    private TestProxy _proxy = null!;

    private HttpClient Client => _proxy.Http;

    public async Task InitializeAsync() => _proxy = await TestProxy.StartAsync();

    public async Task DisposeAsync() => await _proxy.DisposeAsync();

    /// <summary>A small upstream that names itself, echoes what it received, and can hold a request open.</summary>
    private Task<int> UpstreamAsync(string name, TaskCompletionSource? hold = null) => _proxy.UpstreamAsync(app =>
    {
        app.MapGet("/who", () => name);
        app.MapGet("/slow", async () => { await hold!.Task; return name; });
        app.MapGet("/headers", (HttpRequest r) => r.Headers.ToDictionary(h => h.Key, h => h.Value.ToString()));
        app.MapPost("/echo", async (HttpRequest r) => Results.Text(await new StreamReader(r.Body).ReadToEndAsync()));
    });

    private Task<SwapResult> SwapAsync(int upstreamPort, string release, int drainSeconds = 5) => _proxy.SwapAsync(upstreamPort, release, drainSeconds);

    [Fact]
    public async Task Forward_NoUpstreamYet_Answers503WithReason()
    {
        var response = await Client.GetAsync(_proxy.Url("/who"));

        response.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
        (await response.Content.ReadAsStringAsync()).ShouldContain("no release is live");
    }

    [Fact]
    public async Task Forward_StreamsBodiesBothWaysAndSetsForwardedHeaders()
    {
        await SwapAsync(await UpstreamAsync("one"), "r1");
        var body = new string('x', 300_000);

        var echo = await Client.PostAsync(_proxy.Url("/echo"), new StringContent(body));
        var request = new HttpRequestMessage(HttpMethod.Get, _proxy.Url("/headers"));
        request.Headers.Add("Connection", "X-Secret");
        request.Headers.Add("X-Secret", "hop");
        request.Headers.Add("Keep-Alive", "timeout=5");
        request.Headers.Add("X-Kept", "end-to-end");
        var headers = await (await Client.SendAsync(request)).Content.ReadFromJsonAsync<Dictionary<string, string>>();

        (await echo.Content.ReadAsStringAsync()).ShouldBe(body);
        headers.ShouldNotBeNull();
        headers.ShouldContainKey("X-Forwarded-For");
        headers["X-Forwarded-Proto"].ShouldBe("http");
        headers["X-Forwarded-Host"].ShouldBe($"127.0.0.1:{_proxy.Port}");
        headers["X-Kept"].ShouldBe("end-to-end");
        headers.ShouldNotContainKey("X-Secret");
        headers.ShouldNotContainKey("Keep-Alive");
    }

    [Fact]
    public async Task Swap_NewRequestsGoToNewUpstream_InFlightOnesFinishOnOld()
    {
        var hold = new TaskCompletionSource();
        await SwapAsync(await UpstreamAsync("old", hold), "r1");
        var slow = Client.GetStringAsync(_proxy.Url("/slow"));
        await Task.Delay(200);

        var swap = SwapAsync(await UpstreamAsync("new"), "r2");
        await Task.Delay(200);
        var during = await Client.GetStringAsync(_proxy.Url("/who"));
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
        _ = Client.GetStringAsync(_proxy.Url("/slow"));
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

        await _proxy.RestartAsync();

        (await Client.GetStringAsync(_proxy.Url("/who"))).ShouldBe("kept");
    }

    [Fact]
    public async Task AccessLog_OneJsonLinePerRequest_WithStatusAndRelease()
    {
        await SwapAsync(await UpstreamAsync("one"), "r1");
        for (var i = 0; i < 5; i++)
            await Client.GetAsync(_proxy.Url($"/who?i={i}"));
        await Client.GetAsync(_proxy.Url("/missing"));
        // Records are written in order by the writer's beat: once the last one is in, all are; a beat
        // later nothing more may have come.
        await _proxy.AccessRecordAsync("\"status\":404");
        await Task.Delay(250);

        var lines = File.ReadAllLines(_proxy.AccessLog).Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement).ToList();

        lines.Count.ShouldBe(6);
        lines.Count(l => l.GetProperty("status").GetInt32() == 200 && l.GetProperty("path").GetString() == "/who").ShouldBe(5);
        lines.ShouldContain(l => l.GetProperty("status").GetInt32() == 404);
        lines.ShouldAllBe(l => l.GetProperty("release").GetString() == "r1");
        lines.Where(l => l.TryGetProperty("bot", out var _)).ShouldBeEmpty("a browser's (or no) User-Agent is not a robot");
    }

    [Fact]
    public async Task AccessLog_MarksRequestsWhoseUserAgentSaysTheyAreRobots()
    {
        await SwapAsync(await UpstreamAsync("one"), "r1");
        using (var crawl = new HttpRequestMessage(HttpMethod.Get, _proxy.Url("/crawled")))
        {
            crawl.Headers.UserAgent.ParseAdd("Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)");
            await Client.SendAsync(crawl);
        }
        using (var browse = new HttpRequestMessage(HttpMethod.Get, _proxy.Url("/browsed")))
        {
            browse.Headers.UserAgent.ParseAdd("Mozilla/5.0 (X11; Linux x86_64) Firefox/120.0");
            await Client.SendAsync(browse);
        }
        await _proxy.AccessRecordAsync("/browsed");

        var lines = File.ReadAllLines(_proxy.AccessLog).Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement).ToList();

        lines.Single(l => l.GetProperty("path").GetString() == "/crawled").GetProperty("bot").GetBoolean().ShouldBeTrue();
        lines.Single(l => l.GetProperty("path").GetString() == "/browsed").TryGetProperty("bot", out _).ShouldBeFalse();
    }
}
