using System.Diagnostics;
using Crossfade.Contracts.V1;
using Crossfade.Load;

namespace Crossfade.IntegrationTests.Telemetry;

public sealed class BadReleaseRaisesAnErrorEvent
{
    [Fact]
    public async Task CheckoutFailingInARelease_RaisesAnErrorEventNamingRouteAndRelease_WithinTenSeconds()
    {
        await using var fleet = await Fleet.StartAsync(nameof(BadReleaseRaisesAnErrorEvent));
        await fleet.PushAsync("1.0.0");
        await fleet.PushAsync("2.0.0", "GEARSHOP_CHECKOUT_ERROR_RATE=0.4");
        (await fleet.DeployAsync("1.0.0")).State.ShouldBe(DeployState.Succeeded);
        // Without critical paths the bad release reaches the shoppers: what is left to catch it is the telemetry.
        await fleet.ReapplyAsync(spec => System.Text.RegularExpressions.Regex.Replace(spec, @"\nchecks:\n(?:[ #].*\n|\n)*", "\n"));
        (await fleet.DeployAsync("2.0.0")).State.ShouldBe(DeployState.Succeeded);

        var wallAtStart = DateTimeOffset.UtcNow;
        var ticksAtStart = Stopwatch.GetTimestamp();
        var traffic = fleet.Traffic(4, TimeSpan.FromSeconds(40), 200_000);
        using var stop = new CancellationTokenSource();
        var load = traffic.RunAsync(stop.Token);
        Contracts.V1.EventView? raised = null;
        for (var i = 0; i < 150 && raised is null; i++)
        {
            await Task.Delay(200);
            raised = (await fleet.Api.EventsAsync("kind=error.spike&tags=release:2.0.0", CancellationToken.None)).FirstOrDefault();
        }
        await stop.CancelAsync();
        await load;

        var byRoute = await fleet.Api.RequestStatsAsync(Fleet.App, Fleet.Env, "route", CancellationToken.None);
        var spikes = await fleet.Api.EventsAsync("kind=error.spike", CancellationToken.None);
        // The payment gateway's own log (the spec's logs.files, outside shared/log) arrives too, its
        // level-less lines made errors by the spec's pattern: one new error, not one per line.
        Contracts.V1.EventView[] paymentErrors = [];
        for (var i = 0; i < 50 && paymentErrors.Length == 0; i++)
        {
            paymentErrors = (await fleet.Api.EventsAsync("kind=error.new", CancellationToken.None)).Where(e => e.Title.Contains("payment provider error")).ToArray();
            if (paymentErrors.Length == 0)
                await Task.Delay(200);
        }
        List<Contracts.V1.LogLineView> paymentLines = [];
        for (var i = 0; i < 50; i++)
        {
            // The last access records and payment lines may still be on their way: wait until they agree.
            byRoute = await fleet.Api.RequestStatsAsync(Fleet.App, Fleet.Env, "route", CancellationToken.None);
            paymentLines = await fleet.Api.SearchLogsAsync(Fleet.App, Fleet.Env, "q=%22not%20charged%22&level=error&limit=1000", CancellationToken.None);
            if (paymentLines.Count == Math.Min(1000, byRoute.Single(r => r.Key == "POST /checkout").Errors5xx))
                break;
            await Task.Delay(200);
        }

        raised.ShouldNotBeNull("no error event within 30 s of traffic on the bad release");
        spikes.ShouldHaveSingleItem("only the failing route raises an event");
        raised.Title.ShouldContain("POST /checkout");
        raised.Title.ShouldContain("POST /checkout");
        raised.Title.ShouldContain("2.0.0");
        raised.AlertType.ShouldBe("error");
        raised.Tags.ShouldContain("route:POST /checkout");
        var firstFailure = traffic.Samples.First(s => s.Status >= 500);
        var firstFailureAt = wallAtStart + Stopwatch.GetElapsedTime(ticksAtStart, firstFailure.StartTicks);
        (raised.At - firstFailureAt).ShouldBeLessThan(TimeSpan.FromSeconds(10));
        var checkout = byRoute.Single(r => r.Key == "POST /checkout");
        checkout.ErrorRate.ShouldBeInRange(0.15, 0.7);
        byRoute.Where(r => r.Key != "POST /checkout").ShouldAllBe(r => r.Errors5xx == 0);
        paymentErrors.ShouldHaveSingleItem().Text.ShouldContain("first seen on web-");
        paymentLines.Count.ShouldBe((int)Math.Min(1000, checkout.Errors5xx), "one payments.log line per failed checkout, each an error");
        paymentLines.ShouldAllBe(l => l.File == "shared/data/payments.log");
    }
}
