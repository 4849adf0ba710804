using Crossfade.Core.Config;
using Crossfade.Contracts.V1;
using Microsoft.Playwright;

namespace Crossfade.IntegrationTests.Dashboard;

/// <summary>
/// A team's day on the dashboard, on a real fleet under shopper traffic, in a real Chromium: a deploy
/// started with the button (after its configuration preview) followed live to Succeeded with every
/// host's cells filled; its band on the environment's graphs, clicked back to the deploy; a canary held
/// and promoted with the button; a bad release judged and rolled back, with the judge's words on the
/// live page. No page is reloaded while a deploy runs: what changes arrives by server-sent events.
/// </summary>
public sealed class DashboardDrivesDeploys
{
    private static readonly LocatorAssertionsToHaveAttributeOptions DeployWait = new() { Timeout = (float)Fleet.DeployLimit.TotalMilliseconds };

    private static string Judged(string spec) => spec.Replace("\nenvironments:",
        "\njudge:\n  mode: enforce\n  weight_percent: 40\n  min_seconds: 10\n  max_seconds: 60\n  warmup_seconds: 15\n  latency_shift_ms: 50\nenvironments:");

    [Fact]
    public async Task DeployButton_LivePage_Band_CanaryPromote_JudgedRollback()
    {
        await using var fleet = await Fleet.StartAsync(nameof(DashboardDrivesDeploys));
        await fleet.PushAsync("1.0.0");
        await fleet.PushAsync("2.0.0");
        await fleet.PushAsync("2.0.1");
        await fleet.PushAsync("2.1.0", "GEARSHOP_FAILING_LISTINGS=3,4,5,6");
        (await fleet.DeployAsync("1.0.0")).State.ShouldBe(DeployState.Succeeded);
        var traffic = fleet.Traffic(16, TimeSpan.FromMinutes(6), 3_000_000);
        using var stop = new CancellationTokenSource();
        var load = traffic.RunAsync(stop.Token);

        await using var browser = await Browser.LaunchAsync();
        var page = await browser.NewPageAsync(fleet.Local.ServerUrl);
        await Browser.SignInAsync(page, fleet.Local.AdminToken);
        const string environment = $"/apps/{Fleet.App}/{Fleet.Env}";

        // 1. The Deploy button: choose the release, read what it changes, confirm, watch it live.
        var good = await DeployWithTheButtonAsync(page, environment, "2.0.0");
        await Assertions.Expect(page.Locator(".deploy-body")).ToHaveAttributeAsync("data-state", "Succeeded", DeployWait);
        foreach (var host in new[] { "web-1", "web-2", "worker-1" })
        {
            var row = page.Locator($"table.grid tr[data-host='{host}']");
            (await row.Locator("td.cell[data-status='Succeeded']").CountAsync()).ShouldBeGreaterThan(0, host);
            (await row.Locator("td.cell[data-status='Pending'], td.cell[data-status='Running'], td.cell[data-status='Failed']").CountAsync()).ShouldBe(0, host);
        }
        await Assertions.Expect(page.Locator("#log div").First).ToBeAttachedAsync();
        await Browser.ScreenshotAsync(page, "deploy-succeeded");

        // 2. Its band on the environment's graphs, and a click on the band opens the deploy.
        await page.GotoAsync(environment);
        await Assertions.Expect(page.Locator($"li[data-band='{good}']")).ToContainTextAsync("Succeeded");
        // Each host's processes as its agent reports them: the live instance of the new release, and the proxy, running.
        foreach (var host in new[] { "web-1", "web-2" })
        {
            await Assertions.Expect(page.Locator($"tr[data-host='{host}'] [data-kind='live'][data-running='true']")).ToContainTextAsync("2.0.0");
            await Assertions.Expect(page.Locator($"tr[data-host='{host}'] [data-kind='proxy'][data-running='true']")).ToBeVisibleAsync();
        }
        await Assertions.Expect(page.Locator("tr[data-host='worker-1'] [data-kind='worker'][data-running='true']")).ToContainTextAsync("2.0.0");
        await page.WaitForFunctionAsync("() => document.querySelector('#env-chart').plots?.length === 3");
        await Browser.ScreenshotAsync(page, "environment-with-band");
        await ClickTheBandAsync(page, good);

        // 3. A canary held until the Promote button, with a configuration change going out with it.
        await fleet.ReapplyAsync(spec => spec.Replace("Free shipping on orders over 50 EUR", "Winter sale, boots 20% off"));
        var canary = await DeployWithTheButtonAsync(page, environment, "2.0.1", canary: "1");
        await Assertions.Expect(page.Locator(".deploy-body")).ToHaveAttributeAsync("data-state", "Canary", DeployWait);
        await Browser.ScreenshotAsync(page, "deploy-canary-held");
        (await fleet.ServedVersionsAsync()).ShouldBe(["2.0.1", "2.0.0"]);
        await page.ClickAsync("button:text-is('Promote')");
        await page.WaitForURLAsync($"**/deploys/{canary}");
        await Assertions.Expect(page.Locator(".deploy-body")).ToHaveAttributeAsync("data-state", "Succeeded", DeployWait);
        (await fleet.ServedVersionsAsync()).ShouldAllBe(v => v == "2.0.1");

        // 4. A bad release, with the judge on: it rolls the release back, and the live page says why.
        await fleet.ReapplyAsync(Judged);
        var bad = await DeployWithTheButtonAsync(page, environment, "2.1.0");
        await Assertions.Expect(page.Locator(".deploy-body")).ToHaveAttributeAsync("data-state", "Judging", DeployWait);
        await Assertions.Expect(page.Locator(".deploy-body")).ToHaveAttributeAsync("data-state", "RolledBack", DeployWait);
        await Assertions.Expect(page.Locator(".deploy-body .notice")).ToContainTextAsync("the judge failed 2.1.0");
        await Assertions.Expect(page.Locator(".verdict")).ToContainTextAsync("rolled back");
        await Assertions.Expect(page.Locator("[data-judge-chart] .plot")).ToHaveCountAsync(2);
        await Browser.ScreenshotAsync(page, "deploy-judged-rollback");
        (await fleet.ServedVersionsAsync()).ShouldAllBe(v => v == "2.0.1");

        await stop.CancelAsync();
        await load;
        var failed = traffic.Samples.Where(s => s.Failed && !(s.Release == "2.1.0" && s.Status == 500)).ToList();
        failed.Count.ShouldBe(0, $"no request failed but the bad release's own; first: {string.Join("; ", failed.Take(5).Select(s => $"{s.Release ?? "?"} {s.Status} after {s.Milliseconds:0} ms"))}");

        // The other pages, with a day's data on them.
        await page.GotoAsync("/");
        await Assertions.Expect(page.Locator($"article.card[data-app='{Fleet.App}']")).ToContainTextAsync("2.0.1");
        await Browser.ScreenshotAsync(page, "overview");
        await page.GotoAsync($"/history?app={Fleet.App}");
        await page.CheckAsync($"input[name=id][value='{good}']");
        await page.CheckAsync($"input[name=id][value='{canary}']");
        await page.ClickAsync("button:text-is('Compare the two ticked')");
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync($"Deploy #{good} → #{canary}");
        await Assertions.Expect(page.Locator("table.variables")).ToContainTextAsync("Winter sale, boots 20% off");
        // The rendered settings file holds the payment key: its diff shows the line masked, never the key.
        await Assertions.Expect(page.Locator("pre.diff").First).ToContainTextAsync($"\"paymentApiKey\": \"{Redactor.Mask}\"");
        var diffPage = await page.ContentAsync();
        foreach (var form in new[] { fleet.Secret, Uri.EscapeDataString(fleet.Secret), System.Text.Json.JsonSerializer.Serialize(fleet.Secret).Trim('"') })
            diffPage.ShouldNotContain(form);
        await Browser.ScreenshotAsync(page, "history-diff");
        await page.GotoAsync($"/timeline?app={Fleet.App}");
        await Assertions.Expect(page.Locator($"tr[data-event]").First).ToBeVisibleAsync();
        await Browser.ScreenshotAsync(page, "timeline");
        await page.GotoAsync($"{environment}/requests");
        await Assertions.Expect(page.Locator("table.routes")).ToContainTextAsync("/checkout");
        await Browser.ScreenshotAsync(page, "requests");
        await page.GotoAsync($"/history?app={Fleet.App}&outcome=RolledBack");
        (await page.Locator("tr[data-deploy]").AllAsync()).Count.ShouldBe(1);
        await Assertions.Expect(page.Locator($"tr[data-deploy='{bad}']")).ToContainTextAsync("RolledBack");
    }

    /// <summary>
    /// Clicks the middle of a deploy's band on the environment's first chart and waits for its page. The
    /// spot is read just before the click (the chart is scrolled into view first, and the element there
    /// must be the chart's own surface); a click that lands while the chart is being redrawn is tried
    /// again, up to three times, and each miss is reported with what the page held at that spot.
    /// </summary>
    private static async Task ClickTheBandAsync(IPage page, long deploy)
    {
        var misses = new List<string>();
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var spot = await page.EvaluateAsync<double[]>($$"""
                () => {
                  const el = document.querySelector('#env-chart'), u = el.plots[0];
                  u.over.scrollIntoView({ block: 'center' });
                  const band = JSON.parse(el.getAttribute('data-chart')).bands.find(b => b.id === {{deploy}});
                  const x = u.valToPos(Math.min((band.s + band.e) / 2, u.scales.x.max - 1), 'x'), r = u.over.getBoundingClientRect();
                  const px = r.left + x, py = r.top + r.height / 2;
                  return [px, py, document.elementFromPoint(px, py) === u.over ? 1 : 0];
                }
                """);
            spot[2].ShouldBe(1, $"the chart's surface is under the band's middle at ({spot[0]:0}, {spot[1]:0})");
            await page.Mouse.ClickAsync((float)spot[0], (float)spot[1]);
            try
            {
                await page.WaitForURLAsync($"**/deploys/{deploy}", new PageWaitForURLOptions { Timeout = 5_000 });
                return;
            }
            catch (TimeoutException) when (page.Url.EndsWith($"/deploys/{deploy}", StringComparison.Ordinal))
            {
                await Assertions.Expect(page.Locator(".deploy-body")).ToBeAttachedAsync();
                return;
            }
            catch (TimeoutException)
            {
                misses.Add($"click at ({spot[0]:0}, {spot[1]:0}) left the page at {page.Url}");
            }
        }
        throw new ShouldAssertException($"a click on deploy #{deploy}'s band never opened it: {string.Join("; ", misses)}");
    }

    /// <summary>Environment page → release → Deploy… → the preview → Confirm: returns the deploy's id from the live page it lands on.</summary>
    private static async Task<long> DeployWithTheButtonAsync(IPage page, string environment, string version, string? canary = null)
    {
        await page.GotoAsync(environment);
        await page.SelectOptionAsync("#version", version);
        await page.ClickAsync("button:text-is('Deploy…')");
        await Assertions.Expect(page.Locator("h1")).ToContainTextAsync($"Deploy {version}");
        await Assertions.Expect(page.Locator("main")).ToContainTextAsync("Configuration changes");
        if (version == "2.0.0")
            await Browser.ScreenshotAsync(page, "deploy-preview");
        if (canary is not null)
            await page.FillAsync("input[name=canary]", canary);
        await page.ClickAsync($"button:text-is('Confirm deploy of {version}')");
        await page.WaitForURLAsync("**/deploys/*");
        var state = await page.Locator(".deploy-body").GetAttributeAsync("data-state");
        state.ShouldNotBe("Succeeded", "the page is followed live from the deploy's start");
        return long.Parse(page.Url[(page.Url.LastIndexOf('/') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
    }
}
