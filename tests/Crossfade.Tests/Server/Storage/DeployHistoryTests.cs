using Crossfade.Contracts.V1;
using Crossfade.Server.Deploys;
using Crossfade.Server.Storage;

namespace Crossfade.Tests.Server.Storage;

/// <summary>A history page is built from a few queries, and each deploy still gets its own phases and steps.</summary>
public sealed class DeployHistoryTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("cf-store-").FullName;
    private readonly SqliteStore _store;
    private readonly DateTimeOffset _t0 = new(2026, 12, 1, 3, 0, 0, TimeSpan.Zero);

    public DeployHistoryTests() => _store = new SqliteStore(Path.Combine(_dir, "crossfade.db"));

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>Each version's phases start at its own minute ("1" at 1, "s0" at 1000), so a phase given to the wrong deploy shows.</summary>
    private DateTimeOffset StartOf(string version) =>
        _t0.AddMinutes(version.StartsWith('s') ? 1000 + int.Parse(version[1..], System.Globalization.CultureInfo.InvariantCulture) : int.Parse(version, System.Globalization.CultureInfo.InvariantCulture));

    private async Task<long> DeployAsync(string version, int hosts, string environment = "prod")
    {
        var deploy = (await _store.CreateDeployAsync(new DeployRecord(0, "shop", environment, DeployKind.Deploy, version, null, DeployState.Queued, "ann", "cli", _t0, null, null), null, queue: true, default)).Deploy;
        var start = StartOf(version);
        await _store.StartPhaseAsync(deploy.Id, DeployState.Preparing, start, default);
        await _store.EndPhaseAsync(deploy.Id, DeployState.Preparing, start.AddSeconds(3), default);
        await _store.StartPhaseAsync(deploy.Id, DeployState.CuttingOver, start.AddSeconds(4), default);
        for (var h = 1; h <= hosts; h++)
            await _store.AddStepAsync(deploy.Id, $"web-{h}", StepKind.Prepare, "{}", default);
        await _store.SetDeployStateAsync(deploy.Id, DeployState.Succeeded, null, start.AddSeconds(5), true, default);
        return deploy.Id;
    }

    [Fact]
    public async Task HistoryPage_GivesEveryDeployItsOwnPhasesStepsAndRelease_InOrder()
    {
        var first = await DeployAsync("1", hosts: 3);
        var second = await DeployAsync("2", hosts: 1);
        var third = await DeployAsync("3", hosts: 2);
        await _store.AddReleaseAsync(new ReleaseRecord("shop", "2", new string('a', 64), 10, "abc1234", "fix checkout", "ann", _t0), default);

        var views = await DeployViews.LoadAsync(_store, await _store.ListDeploysAsync("shop", 10, default), default);

        views.Select(v => v.Id).ShouldBe([third, second, first]);
        views.Select(v => v.Steps.Count).ShouldBe([2, 1, 3]);
        views.ShouldAllBe(v => v.Phases.Select(p => p.Name).SequenceEqual(new[] { DeployState.Preparing, DeployState.CuttingOver }));
        views.ShouldAllBe(v => v.Phases.All(p => p.StartedAt >= StartOf(v.Version) && p.StartedAt < StartOf(v.Version).AddMinutes(1)));
        views.Single(v => v.Id == second).Commit.ShouldBe("abc1234");
        views.Where(v => v.Id != second).ShouldAllBe(v => v.Commit == null);
    }

    [Fact]
    public async Task OneEnvironmentsDeploys_AreFoundBehindManyNewerOnesElsewhere()
    {
        var prod = await DeployAsync("1", hosts: 1);
        for (var i = 0; i < 60; i++)
            await DeployAsync($"s{i}", hosts: 0, environment: "staging");

        var last = await _store.ListDeploysAsync("shop", 1, default, environment: "prod");
        var all = await _store.ListDeploysAsync("shop", 500, default);

        last.Single().Id.ShouldBe(prod);
        all.Count.ShouldBe(61);
        all[0].Environment.ShouldBe("staging");
    }
}
