using System.Net;
using System.Net.Http.Json;
using Crossfade.Contracts.V1;
using Crossfade.Core.Freezes;
using Crossfade.Server.Storage;
using Crossfade.Tests.Server.Deploys;

namespace Crossfade.Tests.Server.Gate;

/// <summary>Deploys scheduled for a time or the quiet hour, started on the (injected) clock through the gate; a freeze makes them wait.</summary>
public sealed class ScheduledDeployTests
{
    private static readonly System.Text.Json.JsonSerializerOptions Json = Crossfade.Server.Api.JsonBody.Options;

    private static async Task<DeployRunHarness> StartAsync(string specTail = "")
    {
        var harness = await DeployRunHarness.StartAsync(specTail);
        await harness.HostsOnlineUntilAsync(harness.Time.GetUtcNow().AddDays(30));
        return harness;
    }

    private static async Task<ScheduleView> ScheduleAsync(HttpClient api, string at)
    {
        var response = await api.PostAsJsonAsync("/api/v1/apps/shop/schedules", new { environment = "prod", version = "2.0.0", at });
        response.StatusCode.ShouldBe(HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<ScheduleView>(Json))!;
    }

    /// <summary>Waits (bounded, on the real clock) until the schedule stands in <paramref name="state"/>; the scheduler runs on the fake clock.</summary>
    private static async Task<ScheduleRecord> WaitForAsync(DeployRunHarness harness, long id, string state)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (true)
        {
            var schedule = (await harness.Store.ListSchedulesAsync(null, openOnly: false, default)).Single(s => s.Id == id);
            if (schedule.State == state)
                return schedule;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"schedule #{id} never became {state}: {schedule.State} ({schedule.Reason})");
            await Task.Delay(10);
        }
    }

    private static string At(DateTimeOffset at) => at.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public async Task AScheduledDeploy_StartsWhenItsTimeComes_NotBefore()
    {
        await using var harness = await StartAsync();
        using var api = harness.Admin();
        var scheduled = await ScheduleAsync(api, At(harness.Time.GetUtcNow().AddHours(1)));

        harness.Time.Advance(TimeSpan.FromMinutes(59));
        await Task.Delay(50);
        (await WaitForAsync(harness, scheduled.Id, ScheduleStates.Pending)).DeployId.ShouldBeNull();
        harness.Time.Advance(TimeSpan.FromMinutes(1));
        var started = await WaitForAsync(harness, scheduled.Id, ScheduleStates.Started);

        var deploy = (await harness.Store.GetDeployAsync(started.DeployId!.Value, default))!;
        (deploy.Trigger, deploy.Version, deploy.Environment).ShouldBe(("schedule", "2.0.0", "prod"));
        await harness.PlayHostsAsync(deploy.Id, DeployState.Succeeded);
    }

    [Fact]
    public async Task DuringAFreeze_AScheduledDeployWaits_AndStartsWhenTheFreezeEnds()
    {
        await using var harness = await StartAsync();
        using var api = harness.Admin();
        var now = harness.Time.GetUtcNow();
        await harness.Store.AddFreezeAsync(new Freeze(0, "shop", "prod", now, now.AddHours(3), null, null, "year-end close", "ops", now), default);
        var scheduled = await ScheduleAsync(api, At(now.AddHours(1)));

        harness.Time.Advance(TimeSpan.FromHours(1));
        var waiting = await WaitForAsync(harness, scheduled.Id, ScheduleStates.Waiting);
        waiting.Reason!.ShouldContain("year-end close");
        waiting.RunAt.ShouldBe(now.AddHours(3));
        // The timeline hears of it just after the schedule is marked.
        var told = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while ((await harness.Store.ListEventsAsync(new EventQuery(Kind: EventKinds.ScheduleWaiting), default)).Count == 0 && DateTime.UtcNow < told)
            await Task.Delay(10);
        (await harness.Store.ListEventsAsync(new EventQuery(Kind: EventKinds.ScheduleWaiting), default)).Count.ShouldBe(1);

        harness.Time.Advance(TimeSpan.FromHours(2));
        var started = await WaitForAsync(harness, scheduled.Id, ScheduleStates.Started);
        await harness.PlayHostsAsync(started.DeployId!.Value, DeployState.Succeeded);
    }

    [Fact]
    public async Task WhenTheEnvironmentRefusesDuringFreezes_TheScheduleFailsWithWhy()
    {
        await using var harness = await StartAsync("    during_freeze: refuse\n");
        using var api = harness.Admin();
        var now = harness.Time.GetUtcNow();
        await harness.Store.AddFreezeAsync(new Freeze(0, "shop", "prod", null, null, RecurringWindow.Parse("00:00-12:00").Window, "UTC", "nightly batch", "ops", now), default);
        var scheduled = await ScheduleAsync(api, At(now.AddMinutes(30)));

        harness.Time.Advance(TimeSpan.FromMinutes(30));
        var failed = await WaitForAsync(harness, scheduled.Id, ScheduleStates.Failed);

        failed.Reason!.ShouldContain("nightly batch");
        (await harness.Store.ListDeploysAsync("shop", 10, default)).ShouldBeEmpty();
        (await api.GetStringAsync("/api/v1/audit")).ShouldContain("schedule.run");
    }

    [Fact]
    public async Task ACanceledSchedule_NeverStarts_AndAStartedOneCannotBeCanceled()
    {
        await using var harness = await StartAsync();
        using var api = harness.Admin();
        var canceled = await ScheduleAsync(api, At(harness.Time.GetUtcNow().AddMinutes(10)));
        var kept = await ScheduleAsync(api, At(harness.Time.GetUtcNow().AddMinutes(20)));

        (await api.DeleteAsync($"/api/v1/schedules/{canceled.Id}")).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        harness.Time.Advance(TimeSpan.FromMinutes(20));
        var started = await WaitForAsync(harness, kept.Id, ScheduleStates.Started);

        (await WaitForAsync(harness, canceled.Id, ScheduleStates.Canceled)).DeployId.ShouldBeNull();
        var late = await api.DeleteAsync($"/api/v1/schedules/{kept.Id}");
        late.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        (await late.Content.ReadAsStringAsync()).ShouldContain("is started");
        (await harness.Store.ListDeploysAsync("shop", 10, default)).Count.ShouldBe(1);
        await harness.PlayHostsAsync(started.DeployId!.Value, DeployState.Succeeded);
    }

    [Fact]
    public async Task AtQuiet_IsTheNextQuietestHourOfTraffic()
    {
        await using var harness = await StartAsync();
        using var api = harness.Admin();
        (await api.PostAsJsonAsync("/api/v1/apps/shop/schedules", new { environment = "prod", version = "2.0.0", at = "quiet" }))
            .StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        var now = harness.Time.GetUtcNow();
        var rollups = new List<MinuteRollup>();
        for (var hour = now.AddDays(-14); hour < now; hour = hour.AddHours(1))
            rollups.Add(new MinuteRollup(hour.ToUnixTimeSeconds() / 60, "shop", "prod", "web-1", "1.0.0", "/", "GET", hour.Hour == 2 ? 5 : 500, 0, 10, ""));
        await harness.Store.IngestAsync(new IngestWrite("web-1", 9_000_001, rollups.Count, [], [], rollups, new Dictionary<string, long>(), now), default);

        var scheduled = await ScheduleAsync(api, "quiet");

        (scheduled.Quiet, scheduled.RunAt.Hour, scheduled.RunAt > now, scheduled.RunAt - now <= TimeSpan.FromDays(1)).ShouldBe((true, 2, true, true));
    }

    [Theory]
    [InlineData("tomorrow", 400, "ISO 8601")]
    [InlineData("2026-12-03T04:30:00", 400, "with its offset")]
    [InlineData("2026-12-02T04:30:00Z", 400, "has passed")]
    [InlineData("2027-12-02T04:30:00Z", 400, "days ahead")]
    public async Task ABadTime_IsRefusedNamingWhatIsWrong(string at, int status, string problem)
    {
        await using var harness = await StartAsync();
        using var api = harness.Admin();

        var response = await api.PostAsJsonAsync("/api/v1/apps/shop/schedules", new { environment = "prod", version = "2.0.0", at });

        ((int)response.StatusCode).ShouldBe(status);
        (await response.Content.ReadAsStringAsync()).ShouldContain(problem);
    }
}
