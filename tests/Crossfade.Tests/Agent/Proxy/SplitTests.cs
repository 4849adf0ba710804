using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Crossfade.Tests.Agent.Proxy;

/// <summary>The judged split: a share of the clients on the candidate, each client kept on its side, ended or promoted whole.</summary>
public sealed class SplitTests : IAsyncLifetime
{
    private TestProxy _proxy = null!;
    private int _live;
    private int _candidate;

    public async Task InitializeAsync()
    {
        _proxy = await TestProxy.StartAsync();
        _live = await _proxy.UpstreamAsync(app => app.MapGet("/who", () => "live"));
        _candidate = await _proxy.UpstreamAsync(app => app.MapGet("/who", () => "candidate"));
        await _proxy.SwapAsync(_live, "1.0.0");
    }

    public async Task DisposeAsync() => await _proxy.DisposeAsync();

    /// <summary>One request on a connection of its own, with the cookie header given (or none); returns who answered and the cookie set.</summary>
    private async Task<(string Who, string? SetCookie)> AskAsync(string? cookie = null)
    {
        var answer = await _proxy.RawAsync($"GET /who HTTP/1.1\r\nHost: shop\r\nConnection: close\r\n{(cookie is null ? "" : $"Cookie: {cookie}\r\n")}\r\n");
        var setCookie = answer.Split("\r\n").FirstOrDefault(l => l.StartsWith("Set-Cookie: crossfade-split=", StringComparison.Ordinal));
        // The body, whole or chunked, is the upstream's name.
        var body = answer[(answer.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4)..];
        var who = body.Contains("candidate", StringComparison.Ordinal) ? "candidate" : body.Contains("live", StringComparison.Ordinal) ? "live" : answer;
        return (who, setCookie?["Set-Cookie: ".Length..].Split(';')[0]);
    }

    [Fact]
    public async Task Split_SendsAboutItsWeightOfNewClientsToTheCandidate_AndTellsEachItsSide()
    {
        (await _proxy.SplitAsync(_candidate, "2.0.0", 30)).EnsureSuccessStatusCode();

        var answers = new List<(string Who, string? SetCookie)>();
        for (var i = 0; i < 400; i++)
            answers.Add(await AskAsync());

        var toCandidate = answers.Count(a => a.Who == "candidate");
        toCandidate.ShouldBeInRange(80, 160, "30% of 400, give or take four standard deviations");
        answers.ShouldAllBe(a => a.Who == "candidate" ? a.SetCookie == "crossfade-split=2.0.0~c" : a.SetCookie == "crossfade-split=2.0.0~b");
        (await _proxy.AccessRecordAsync("2.0.0")).ShouldContain("/who");
    }

    [Fact]
    public async Task Split_AClientWithItsCookie_StaysOnItsSide_AndOneForAnotherCandidateIsDrawnAgain()
    {
        (await _proxy.SplitAsync(_candidate, "2.0.0", 50)).EnsureSuccessStatusCode();

        for (var i = 0; i < 20; i++)
        {
            (await AskAsync("theme=dark; crossfade-split=2.0.0~c")).ShouldBe(("candidate", null));
            (await AskAsync("crossfade-split=2.0.0~b; theme=dark")).ShouldBe(("live", null));
        }
        (await AskAsync("crossfade-split=1.9.0~c")).SetCookie.ShouldNotBeNull("a cookie from an earlier split is not this one's");
        (await AskAsync("xcrossfade-split=2.0.0~c")).SetCookie.ShouldNotBeNull("another cookie's name only ends like it");
    }

    [Fact]
    public async Task Split_AKeptAliveConnectionWithoutCookies_StaysOnOneSide()
    {
        (await _proxy.SplitAsync(_candidate, "2.0.0", 50)).EnsureSuccessStatusCode();
        var requests = string.Concat(Enumerable.Repeat("GET /who HTTP/1.1\r\nHost: shop\r\n\r\n", 10)) + "GET /who HTTP/1.1\r\nHost: shop\r\nConnection: close\r\n\r\n";

        var answers = await _proxy.RawAsync(requests);

        // Each body, whole or chunked, starts a line with the upstream's name.
        var live = answers.Split("\nlive").Length - 1;
        var candidate = answers.Split("\ncandidate").Length - 1;
        (live + candidate).ShouldBe(11);
        (live == 0 || candidate == 0).ShouldBeTrue($"{live} answers from live and {candidate} from the candidate on one connection");
    }

    [Fact]
    public async Task SplitOfZero_SendsEveryoneBackToLive_WithNoCookie()
    {
        (await _proxy.SplitAsync(_candidate, "2.0.0", 100)).EnsureSuccessStatusCode();
        (await AskAsync()).Who.ShouldBe("candidate");

        (await _proxy.SplitAsync(null, null, 0)).EnsureSuccessStatusCode();

        for (var i = 0; i < 10; i++)
            (await AskAsync("crossfade-split=2.0.0~c")).ShouldBe(("live", null));
        (await _proxy.UpstreamViewAsync()).SplitUrl.ShouldBeNull();
    }

    [Fact]
    public async Task SwapToTheCandidate_PromotesIt_AndEndsTheSplit()
    {
        (await _proxy.SplitAsync(_candidate, "2.0.0", 10)).EnsureSuccessStatusCode();

        await _proxy.SwapAsync(_candidate, "2.0.0");

        for (var i = 0; i < 10; i++)
            (await AskAsync()).ShouldBe(("candidate", null));
        var view = await _proxy.UpstreamViewAsync();
        (view.Release, view.SplitRelease, view.SplitWeightPercent).ShouldBe(("2.0.0", null, 0));
    }

    [Fact]
    public async Task Split_SurvivesAProxyRestart()
    {
        (await _proxy.SplitAsync(_candidate, "2.0.0", 100)).EnsureSuccessStatusCode();

        await _proxy.RestartAsync();

        (await AskAsync()).ShouldBe(("candidate", "crossfade-split=2.0.0~c"));
        (await _proxy.UpstreamViewAsync()).SplitWeightPercent.ShouldBe(100);
    }

    [Theory]
    [InlineData(101, "2.0.0", "weight")]
    [InlineData(-1, "2.0.0", "weight")]
    [InlineData(20, null, "release")]
    public async Task Split_BadRequest_IsRefusedAndChangesNothing(int weight, string? release, string named)
    {
        var response = await _proxy.SplitAsync(_candidate, release, weight);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await response.Content.ReadAsStringAsync()).ShouldContain(named);
        (await AskAsync()).ShouldBe(("live", null));
    }
}
