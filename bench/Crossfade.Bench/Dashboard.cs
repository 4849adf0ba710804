using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Crossfade.Contracts.V1;
using Crossfade.Demo;
using Microsoft.Playwright;

namespace Crossfade.Bench;

/// <summary>
/// The dashboard at scale: a server on a store seeded as a big shop's (10 M access records, 2,000
/// deploys, 50 apps, 300 hosts); Debian's Chromium visits every page once (not counted: the server's code compiles), then loads each several times (navigation start to
/// the load event, as the browser measures it), and follows a running deploy's live page while this
/// benchmark, as that deploy's agent, appends output to its step: the time from the append to the
/// line in the page. Last line: <c>dashboard: pages=… p95_ms=… max_ms=… largest_kb=… rows=…</c>.
/// </summary>
public static class Dashboard
{
    public static async Task<int> RunAsync(string[] args)
    {
        var records = args.Length > 0 ? long.Parse(args[0], CultureInfo.InvariantCulture) : 10_000_000;
        var rounds = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 5;
        await using var fleet = await LocalFleet.StartAsync(Path.Combine(Path.GetTempPath(), "cf-bench-dashboard"), [], default, "cli");
        var seeding = Stopwatch.StartNew();
        var seeded = await DashboardSeed.SeedAsync(Path.Combine(fleet.Dir, "server", "crossfade.db"), records, DateTimeOffset.UtcNow);
        Console.WriteLine($"seeded {seeded.Records:N0} access records, {DashboardSeed.Deploys:N0} deploys, {DashboardSeed.Apps} apps, {DashboardSeed.Hosts} hosts in {seeding.Elapsed.TotalSeconds:0} s");

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = "/usr/bin/chromium", Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
        var context = await browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = fleet.ServerUrl, ViewportSize = new ViewportSize { Width = 1360, Height = 900 } });
        var page = await context.NewPageAsync();
        await page.GotoAsync("/signin");
        await page.FillAsync("#token", fleet.AdminToken);
        await page.ClickAsync("form button[type=submit]");
        await page.WaitForURLAsync(url => !url.Contains("/signin", StringComparison.Ordinal));

        var pages = new[]
        {
            "/", "/apps/app-00/production", "/apps/app-00/production?range=24h", "/apps/app-00/production?range=7d", "/apps/app-00/production?range=30d",
            "/apps/app-07/staging?range=24h", $"/deploys/{seeded.LargestDeploy}", $"/deploys/{seeded.SmallDeploy}", $"/deploys/{seeded.LiveDeploy}",
            "/history", "/history?app=app-00&outcome=RolledBack", $"/history/diff?id={seeded.SmallDeploy}&id={seeded.LargestDeploy}",
            "/timeline", "/timeline?app=app-00", "/apps/app-00/production/requests", "/apps/app-07/production/requests?q=timeout", "/admin",
        };
        // One visit of every page first, not counted: the server process's first answers compile its code
        // (a cost of starting the process, not of the pages), as the first request after any restart does.
        foreach (var path in pages)
            await page.GotoAsync(path, new PageGotoOptions { WaitUntil = WaitUntilState.Load, Timeout = 60_000 });
        var samples = new List<double>();
        var largest = 0.0;
        foreach (var path in pages)
        {
            var times = new List<double>();
            var server = new List<double>();
            var size = 0.0;
            var breakdown = "";
            for (var round = 0; round < rounds; round++)
            {
                var response = await page.GotoAsync(path, new PageGotoOptions { WaitUntil = WaitUntilState.Load, Timeout = 60_000 });
                if (response is null || response.Status != 200)
                    throw new InvalidOperationException($"{path} answered {response?.Status}");
                var timing = await page.EvaluateAsync<double[]>("() => { const n = performance.getEntriesByType('navigation')[0]; return [n.loadEventEnd - n.startTime, n.decodedBodySize, n.responseStart - n.requestStart, n.responseEnd - n.startTime, n.domInteractive - n.startTime, n.domContentLoadedEventEnd - n.startTime]; }");
                if (round == rounds - 1)
                    breakdown = $"    last load: answer ends {timing[3]:0} ms, DOM parsed {timing[4]:0} ms, scripts done {timing[5]:0} ms, load {timing[0]:0} ms";
                times.Add(timing[0]);
                server.Add(timing[2]);
                size = timing[1] / 1024;
                largest = Math.Max(largest, size);
            }
            samples.AddRange(times);
            Console.WriteLine($"  {path,-60} load ms: first {times[0],7:0.0}  median {Core.Judging.Quantiles.OfSorted(times.Order().ToList(), 0.5),7:0.0}  max {times.Max(),7:0.0}  (server's answer: median {Core.Judging.Quantiles.OfSorted(server.Order().ToList(), 0.5),6:0.0} ms, {size:0} KB)");
            Console.WriteLine(breakdown);
        }

        var live = await LiveUpdatesAsync(page, fleet.ServerUrl, seeded, rounds * 4);
        Console.WriteLine($"  live deploy page, output line appended -> shown: median {Core.Judging.Quantiles.OfSorted(live.Order().ToList(), 0.5):0.0} ms, max {live.Max():0.0} ms over {live.Count}");
        samples.AddRange(live);

        var sorted = samples.Order().ToList();
        var p95 = Core.Judging.Quantiles.OfSorted(sorted, 0.95);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"dashboard: pages={pages.Length + 1} p95_ms={p95:0.0} max_ms={sorted[^1]:0.0} largest_kb={largest:0.0} rows={seeded.Records}"));
        return 0;
    }

    /// <summary>Appends output lines to the running deploy's step as its agent, timing each until the live page shows it.</summary>
    private static async Task<List<double>> LiveUpdatesAsync(IPage page, string server, DashboardStore seeded, int count)
    {
        await page.GotoAsync($"/deploys/{seeded.LiveDeploy}");
        await page.WaitForFunctionAsync("() => document.querySelector('#live')?.getAttribute('sse-connect') !== null");
        using var agent = new HttpClient { BaseAddress = new Uri(server) };
        agent.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", seeded.LiveAgentToken);
        var times = new List<double>();
        await Task.Delay(1000);
        for (var i = 0; i < count; i++)
        {
            var marker = $"bench line {i} {Guid.NewGuid():N}";
            var watch = page.WaitForFunctionAsync($"() => document.getElementById('log').textContent.includes('{marker}')", null,
                new PageWaitForFunctionOptions { Timeout = 10_000, PollingInterval = 5 });
            var clock = Stopwatch.StartNew();
            var posted = await agent.PostAsJsonAsync($"api/agent/v1/steps/{seeded.LiveStep}/logs", new StepLogBatch([new StepLogLine(DateTimeOffset.UtcNow, marker)]), Cli.ApiClient.Json);
            posted.EnsureSuccessStatusCode();
            await watch;
            times.Add(clock.Elapsed.TotalMilliseconds);
            await Task.Delay(200);
        }
        return times;
    }
}
