using System.Text.Json;
using Crossfade.Contracts.V1;
using Crossfade.Demo;

namespace Crossfade.IntegrationTests.Builds;

/// <summary>
/// The whole loop on a real fleet: gear-shop's source in a local git repository, a signed GitHub push of
/// main, the server building it with dotnet publish and deploying the release to every host under
/// shopper traffic, with no request dropped and the build's output kept.
/// </summary>
public sealed class PushBuildsGearShopFromSourceAndDeploysIt
{
    [Fact]
    public async Task ASignedPushOfMain_IsBuiltFromSource_AndServedByEveryHost_DroppingNoRequest()
    {
        await using var fleet = await Fleet.StartAsync(nameof(PushBuildsGearShopFromSourceAndDeploysIt));
        await fleet.PushAsync("1.0.0");
        (await fleet.DeployAsync("1.0.0")).State.ShouldBe(DeployState.Succeeded);
        var source = Path.Combine(fleet.Local.Dir, "source");
        var sha = GearShopRepo.Create(source);
        await fleet.ReapplyAsync(spec => spec
            + $"build:\n  repository: {source}\n  command: {GearShopRepo.BuildCommand}\n  output: out\n  timeout_seconds: 600\n"
            + "triggers:\n  branches:\n    main: production\n");
        var secret = (await fleet.Api.RotateHookSecretAsync(Fleet.App, CancellationToken.None)).Secret;
        var traffic = fleet.Traffic(8, TimeSpan.FromMinutes(5), 2_000_000);
        using var stop = new CancellationTokenSource();
        var load = traffic.RunAsync(stop.Token);

        var (status, body) = await GearShopRepo.PushAsync(fleet.Local.ServerUrl, Fleet.App, secret, "refs/heads/main", sha, CancellationToken.None);
        status.ShouldBe(202, body);
        var buildId = JsonDocument.Parse(body).RootElement.GetProperty("build").GetInt64();
        BuildView build;
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(6);
        while ((build = await fleet.Api.GetBuildAsync(buildId, CancellationToken.None)).State is "queued" or "running" && DateTime.UtcNow < deadline)
            await Task.Delay(250);
        build.State.ShouldBe("succeeded", build.Reason);
        var deploy = await fleet.WatchAsync(await fleet.Api.GetDeployAsync(build.DeployId!.Value, CancellationToken.None));
        await stop.CancelAsync();
        await load;

        deploy.State.ShouldBe(DeployState.Succeeded, deploy.Reason);
        (deploy.Version, deploy.Commit, deploy.Trigger).ShouldBe(($"main-{sha[..7]}", sha, "webhook"));
        (await fleet.ServedVersionsAsync()).ShouldAllBe(v => v == deploy.Version);
        traffic.Samples.Count.ShouldBeGreaterThan(100);
        traffic.Samples.Count(s => s.Failed).ShouldBe(0);
        var log = await fleet.Api.BuildLogAsync(buildId, 0, CancellationToken.None);
        log.ShouldContain(l => l.Line.Contains("dotnet publish", StringComparison.Ordinal));
        log.ShouldContain(l => l.Line.StartsWith("released main-", StringComparison.Ordinal));
    }
}
