using Crossfade.Contracts.V1;
using Crossfade.Core.Freezes;
using Crossfade.Server.Deploys;
using Crossfade.Server.Storage;
using Crossfade.Tests.Server.Deploys;
using Microsoft.Extensions.DependencyInjection;

namespace Crossfade.Tests.Server.Gate;

/// <summary>One gate for every trigger: role, freezes (rollbacks pass, admins override with a reason) and promotion rules.</summary>
public sealed class DeployGateTests
{
    private const string Staging = "    requires: [staging]\n  staging:\n    hosts:\n      web-1: [web]\n      web-2: [web]\n";

    private static DeployRequest Deploy(string by = "ann", string role = Roles.Deployer, string? overrideFreeze = null, string environment = "prod") =>
        new(DeployRunHarness.App, environment, DeployKind.Deploy, "2.0.0", by, role, "cli", null, OverrideFreeze: overrideFreeze);

    private static async Task<(DeployRunHarness Harness, DeployService Deploys)> StartAsync(string specTail = "")
    {
        var harness = await DeployRunHarness.StartAsync(specTail);
        await harness.HostsOnlineUntilAsync(harness.Time.GetUtcNow().AddDays(1));
        return (harness, harness.Services.GetRequiredService<DeployService>());
    }

    private static Task<long> FreezeAsync(DeployRunHarness harness, string reason = "Black Friday") =>
        harness.Store.AddFreezeAsync(new Freeze(0, DeployRunHarness.App, "prod", harness.Time.GetUtcNow().AddHours(-1), harness.Time.GetUtcNow().AddHours(2),
            null, null, reason, "ops", harness.Time.GetUtcNow()), default);

    [Fact]
    public async Task AFrozenEnvironment_RefusesADeploy_NamingTheFreezeAndItsEnd()
    {
        var (harness, deploys) = await StartAsync();
        await using var _ = harness;
        await FreezeAsync(harness);

        var refused = await deploys.StartAsync(Deploy(), default);

        (refused.Deploy, refused.Status).ShouldBe((null, 423));
        refused.Refusal!.ShouldContain("frozen until 2026-12-03 06:00Z");
        refused.Refusal!.ShouldContain("Black Friday");
        (await harness.Store.ListDeploysAsync(DeployRunHarness.App, 10, default)).ShouldBeEmpty();
    }

    [Fact]
    public async Task OnlyAnAdmin_OverridesAFreeze_WithAReason_AndTheTeamSeesIt()
    {
        var (harness, deploys) = await StartAsync();
        await using var _ = harness;
        await FreezeAsync(harness);

        var deployer = await deploys.StartAsync(Deploy(overrideFreeze: "hotfix"), default);
        var noReason = await deploys.StartAsync(Deploy("root", Roles.Admin, overrideFreeze: " "), default);
        var admin = await deploys.StartAsync(Deploy("root", Roles.Admin, overrideFreeze: "checkout is down, this fixes it"), default);

        (deployer.Status, noReason.Status, admin.Status).ShouldBe((403, 400, 202));
        deployer.Refusal!.ShouldContain("only an admin may override");
        var events = await harness.Store.ListEventsAsync(new EventQuery(Kind: EventKinds.FreezeOverride), default);
        events.Single().Text.ShouldContain("checkout is down");
        events.Single().DeployId.ShouldBe(admin.Deploy!.Id);
        await harness.PlayHostsAsync(admin.Deploy.Id, DeployState.Succeeded);
    }

    [Fact]
    public async Task ARollback_PassesAFreeze()
    {
        var (harness, deploys) = await StartAsync();
        await using var _ = harness;
        await harness.Store.SetLiveVersionAsync(DeployRunHarness.App, "prod", "2.0.0", 1, default);
        await FreezeAsync(harness);

        var rollback = await deploys.StartAsync(Deploy() with { Kind = DeployKind.Rollback, Version = null }, default);

        (rollback.Status, rollback.Deploy!.Version).ShouldBe((202, "1.0.0"));
        await harness.PlayHostsAsync(rollback.Deploy.Id, DeployState.Succeeded);
    }

    [Fact]
    public async Task AViewer_IsRefusedByTheGate_WhateverTheTrigger()
    {
        var (harness, deploys) = await StartAsync();
        await using var _ = harness;

        var refused = await deploys.StartAsync(Deploy("vic", Roles.Viewer) with { Trigger = "schedule" }, default);

        (refused.Status, refused.Deploy).ShouldBe((403, null));
        refused.Refusal!.ShouldContain("'vic' has 'viewer'");
    }

    [Fact]
    public async Task AReleaseMustSucceedInStagingFirst_ThenProductionTakesIt()
    {
        var (harness, deploys) = await StartAsync(Staging);
        await using var _ = harness;

        var early = await deploys.StartAsync(Deploy(), default);
        early.Status.ShouldBe(409);
        early.Refusal!.ShouldContain("requires a release to have succeeded in 'staging' first");

        var staging = await deploys.StartAsync(Deploy(environment: "staging"), default);
        staging.Status.ShouldBe(202);
        await harness.PlayHostsAsync(staging.Deploy!.Id, DeployState.Succeeded);

        var production = await deploys.StartAsync(Deploy(), default);
        production.Status.ShouldBe(202);
        await harness.PlayHostsAsync(production.Deploy!.Id, DeployState.Succeeded);
    }

    [Fact]
    public async Task AFreezeThatBeginsWhileADeployWaitsItsTurn_HoldsIt()
    {
        var (harness, deploys) = await StartAsync();
        await using var _ = harness;
        var first = await deploys.StartAsync(Deploy(), default);
        var waiting = await deploys.StartAsync(Deploy() with { Queue = true, Version = "1.0.0" }, default);
        (first.Status, waiting.Status).ShouldBe((202, 202));
        // The first has started (it is past the gate and the freeze check) before the freeze begins.
        var started = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while ((await harness.Store.GetDeployAsync(first.Deploy!.Id, default))!.State == DeployState.Queued && DateTime.UtcNow < started)
            await Task.Delay(10);
        await FreezeAsync(harness, "the auditors are in");

        await harness.PlayHostsAsync(first.Deploy.Id, DeployState.Succeeded);
        harness.Time.Advance(TimeSpan.FromSeconds(1));
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        DeployRecord held;
        while ((held = (await harness.Store.GetDeployAsync(waiting.Deploy!.Id, default))!).State == DeployState.Queued && DateTime.UtcNow < deadline)
        {
            harness.Time.Advance(TimeSpan.FromMilliseconds(500));
            await Task.Delay(20);
        }

        held.State.ShouldBe(DeployState.Aborted);
        held.Reason!.ShouldContain("the auditors are in");
        held.Reason!.ShouldContain("began after it was asked for");
        (await harness.Store.ListStepsAsync(held.Id, default)).ShouldBeEmpty();
    }
}
