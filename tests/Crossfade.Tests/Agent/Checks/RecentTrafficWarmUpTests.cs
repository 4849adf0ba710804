using System.Net;
using System.Text;
using Crossfade.Agent.Checks;
using Crossfade.Agent.Instances;
using Crossfade.Agent.Steps;

namespace Crossfade.Tests.Agent.Checks;

/// <summary>The candidate's warm-up: the host's recent successful GETs, read from the access log's tail, replayed against it, bounded.</summary>
public sealed class RecentTrafficWarmUpTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("cf-warm-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string Line(string method, string path, int status) =>
        $$"""{"ts":"2026-12-03T10:00:00Z","method":"{{method}}","path":"{{path}}","status":{{status}},"ms":3,"bytes":10,"release":"1.0.0"}""";

    [Fact]
    public void RecentGets_TakesSuccessfulGetsOnly_NewestLast_AndSkipsGarbage()
    {
        var log = Path.Combine(_dir, "access.log");
        File.WriteAllLines(log,
        [
            Line("GET", "/listings", 200),
            Line("POST", "/checkout", 201),
            Line("GET", "/listings/9", 404),
            "garbage {not json",
            Line("GET", "//evil.example/x", 200),
            Line("GET", "/login", 302),
            Line("GET", "/listings/2?unsubscribe=all", 200),
            Line("GET", "/boom", 500),
            "{\"method\":\"GET\",\"path\":42,\"status\":200}",
            Line("GET", "/listings/2", 200),
            Line("GET", "/", 200),
        ]);

        RecentTrafficWarmUp.RecentGets(log, 10).ShouldBe(["/", "/listings/2", "/listings"], "each path once, without its query, most recent first; 2xx only");
        RecentTrafficWarmUp.RecentGets(log, 2).ShouldBe(["/", "/listings/2"], "the most recent ones");
        RecentTrafficWarmUp.RecentGets(Path.Combine(_dir, "none.log"), 10).ShouldBeEmpty();
    }

    [Fact]
    public async Task WarmAsync_ReplaysThemAgainstTheCandidate_WithItsOwnUserAgent()
    {
        var log = Path.Combine(_dir, "access.log");
        File.WriteAllLines(log, Enumerable.Range(0, 30).Select(i => Line("GET", $"/listings/{i % 3}", 200)));
        using var listener = new HttpListener();
        var port = FreePorts.Next();
        listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        listener.Start();
        var seen = new List<(string Path, string Agent)>();
        var serving = Task.Run(async () =>
        {
            while (listener.IsListening)
            {
                HttpListenerContext context;
                try { context = await listener.GetContextAsync(); } catch (HttpListenerException) { return; } catch (ObjectDisposedException) { return; }
                lock (seen)
                    seen.Add((context.Request.RawUrl!, context.Request.UserAgent ?? ""));
                context.Response.StatusCode = 200;
                await context.Response.OutputStream.WriteAsync(Encoding.UTF8.GetBytes("ok"));
                context.Response.Close();
            }
        });

        var summary = await new RecentTrafficWarmUp(TimeProvider.System, maxRequests: 60, round: 20).WarmAsync($"http://127.0.0.1:{port}", null, log, new StepLog(TimeProvider.System), default);
        listener.Stop();
        await serving;

        summary.ShouldStartWith("warmed the candidate with 60 requests like the host's recent ones");
        seen.Count.ShouldBe(60, "with no live instance to compare with, the whole budget");
        seen.Select(s => s.Path).Distinct().Order().ShouldBe(["/listings/0", "/listings/1", "/listings/2"]);
        seen.ShouldAllBe(s => s.Agent == "crossfade-warmup/1");
    }
}
