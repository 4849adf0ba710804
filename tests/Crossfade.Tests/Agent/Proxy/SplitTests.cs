using System.Net;
using Crossfade.Agent;
using Crossfade.Agent.Instances;
using Crossfade.Agent.Proxy;
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
        answers.ShouldAllBe(a => a.SetCookie!.StartsWith(a.Who == "candidate" ? "crossfade-split=2.0.0~c~" : "crossfade-split=2.0.0~b~"));
        answers.Select(a => a.SetCookie).Distinct().Count().ShouldBe(2, "one signed value per side");
        (await _proxy.AccessRecordAsync("2.0.0")).ShouldContain("/who");
    }

    /// <summary>The signed cookies of both sides, as the proxy hands them out.</summary>
    private async Task<(string Candidate, string Baseline)> CookiesAsync()
    {
        string? candidate = null, baseline = null;
        for (var i = 0; i < 200 && (candidate is null || baseline is null); i++)
        {
            var (who, cookie) = await AskAsync();
            if (who == "candidate")
                candidate = cookie;
            else
                baseline = cookie;
        }
        return (candidate.ShouldNotBeNull(), baseline.ShouldNotBeNull());
    }

    [Fact]
    public async Task Split_AClientWithItsCookie_StaysOnItsSide_WhereverTheCookieIs()
    {
        (await _proxy.SplitAsync(_candidate, "2.0.0", 50)).EnsureSuccessStatusCode();
        var (candidate, baseline) = await CookiesAsync();
        var candidateValue = candidate["crossfade-split=".Length..];

        for (var i = 0; i < 10; i++)
        {
            (await AskAsync($"theme=dark; {candidate}")).ShouldBe(("candidate", null));
            (await AskAsync($"{baseline}; theme=dark")).ShouldBe(("live", null));
            (await AskAsync($"my-crossfade-split=1; ref=crossfade-split=x; {candidate}")).ShouldBe(("candidate", null));
            (await AskAsync($"crossfade-split=\"{candidateValue}\"")).ShouldBe(("candidate", null));
        }
        var twoLines = await _proxy.RawAsync($"GET /who HTTP/1.1\r\nHost: shop\r\nConnection: close\r\nCookie: theme=dark\r\nCookie: {candidate}\r\n\r\n");
        twoLines.ShouldNotContain("Set-Cookie: crossfade-split");
        twoLines.ShouldContain("candidate");
    }

    [Theory]
    [InlineData("crossfade-split=2.0.0~c")]
    [InlineData("crossfade-split=2.0.0~c~000000000000000000000000")]
    [InlineData("xcrossfade-split=2.0.0~c")]
    public async Task Split_AForgedOrForeignCookie_DecidesNothing_AndTheSideIsDrawn(string cookie)
    {
        (await _proxy.SplitAsync(_candidate, "2.0.0", 50)).EnsureSuccessStatusCode();

        (await AskAsync(cookie)).SetCookie.ShouldNotBeNull("the side was drawn, not taken from the cookie");
    }

    [Fact]
    public async Task Split_ACookieFromAnEarlierSplitOfTheSameRelease_IsNotObeyed()
    {
        (await _proxy.SplitAsync(_candidate, "2.0.0", 50)).EnsureSuccessStatusCode();
        var (candidate, _) = await CookiesAsync();
        (await _proxy.SplitAsync(null, null, 0)).EnsureSuccessStatusCode();

        (await _proxy.SplitAsync(_candidate, "2.0.0", 50)).EnsureSuccessStatusCode();

        (await AskAsync(candidate)).SetCookie.ShouldNotBeNull("a new split signs with a new key");
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
    public async Task ANewSplit_AfterTheLastOneWasPromoted_SendsItsShareToTheNewCandidate()
    {
        var third = await _proxy.UpstreamAsync(app => app.MapGet("/who", () => "newer"));
        (await _proxy.SplitAsync(_candidate, "2.0.0", 30)).EnsureSuccessStatusCode();
        var (candidateCookie, _) = await CookiesAsync();
        await _proxy.SwapAsync(_candidate, "2.0.0");

        (await _proxy.SplitAsync(third, "3.0.0", 30)).EnsureSuccessStatusCode();
        var answers = new List<string>();
        for (var i = 0; i < 200; i++)
            answers.Add((await AskAsync(i % 2 == 0 ? candidateCookie : null)).Who);

        // 30% of 200 new clients, give or take four standard deviations; a cookie of the promoted split decides nothing.
        answers.Count(a => a.Contains("newer", StringComparison.Ordinal)).ShouldBeInRange(35, 85);
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
        var before = (await AskAsync()).SetCookie!;

        await _proxy.RestartAsync();

        (await AskAsync(before)).ShouldBe(("candidate", null), "the restarted proxy keeps the split's key, so its cookies hold");
        (await _proxy.UpstreamViewAsync()).SplitWeightPercent.ShouldBe(100);
    }

    [Fact]
    public async Task Split_OfTheLiveRelease_IsRefused_ThereIsNothingToCompare()
    {
        var response = await _proxy.SplitAsync(_candidate, "1.0.0", 20);

        response.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        (await response.Content.ReadAsStringAsync()).ShouldContain("is the live one");
    }

    [Theory]
    [InlineData(101, "2.0.0", "weight")]
    [InlineData(-1, "2.0.0", "weight")]
    [InlineData(20, null, "release")]
    [InlineData(20, "2.0.0\r\nX-Evil: 1", "release")]
    [InlineData(20, "../2.0.0", "release")]
    public async Task Split_BadRequest_IsRefusedAndChangesNothing(int weight, string? release, string named)
    {
        var response = await _proxy.SplitAsync(_candidate, release, weight);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await response.Content.ReadAsStringAsync()).ShouldContain(named);
        (await AskAsync()).ShouldBe(("live", null));
    }

    [Fact]
    public async Task AgentsProxyClient_SetsAndEndsTheSplit_AndReportsARefusalAsItsReason()
    {
        var keeper = new ProxyKeeper(new AgentOptions(), TimeProvider.System);
        var record = new ProxyRecord(new ProcessRef(Environment.ProcessId, 0), _proxy.Port, _proxy.ControlPort);

        (await keeper.SplitAsync(record, new SplitRequest($"http://127.0.0.1:{_candidate}/", "2.0.0", 100), default)).ShouldBeNull();
        var split = await keeper.ReadAsync(record, default);
        var refused = await keeper.SplitAsync(record, new SplitRequest($"http://127.0.0.1:{_candidate}/", "1.0.0", 100), default);
        (await keeper.SplitAsync(record, new SplitRequest(null, null, 0), default)).ShouldBeNull();

        (split!.SplitRelease, split.SplitWeightPercent).ShouldBe(("2.0.0", 100));
        refused.ShouldNotBeNull().ShouldContain("is the live one");
        (await keeper.ReadAsync(record, default))!.SplitRelease.ShouldBeNull();
    }
}
