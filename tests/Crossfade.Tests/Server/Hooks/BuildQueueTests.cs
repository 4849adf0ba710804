using Crossfade.Server.Storage;

namespace Crossfade.Tests.Server.Hooks;

/// <summary>One build at a time per app and ref; a newer push supersedes a queued one.</summary>
public sealed class BuildQueueTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("cf-builds-").FullName;
    private readonly SqliteStore _store;
    private readonly DateTimeOffset _t0 = new(2026, 12, 3, 9, 0, 0, TimeSpan.Zero);

    public BuildQueueTests() => _store = new SqliteStore(Path.Combine(_dir, "crossfade.db"));

    private Task<(BuildRecord Build, IReadOnlyList<long> Superseded)> QueueAsync(string gitRef, string sha) =>
        _store.QueueBuildAsync(new BuildRecord(0, "shop", gitRef, sha, "staging", BuildStates.Queued, null, null, "github:ana", "webhook", _t0), default);

    [Fact]
    public async Task ANewerPush_SupersedesAQueuedBuildOfTheSameRef_NotARunningOne()
    {
        var running = (await QueueAsync("refs/heads/main", new string('1', 40))).Build;
        (await _store.ClaimBuildAsync(_t0, default))!.Id.ShouldBe(running.Id);
        var queued = (await QueueAsync("refs/heads/main", new string('2', 40))).Build;
        var other = (await QueueAsync("refs/heads/release", new string('3', 40))).Build;

        var (newest, superseded) = await QueueAsync("refs/heads/main", new string('4', 40));

        superseded.ShouldBe([queued.Id]);
        (await _store.GetBuildAsync(queued.Id, default))!.State.ShouldBe(BuildStates.Superseded);
        (await _store.GetBuildAsync(running.Id, default))!.State.ShouldBe(BuildStates.Running);
        // The other ref's build may start beside the running one; main's next waits for it.
        (await _store.ClaimBuildAsync(_t0, default))!.Id.ShouldBe(other.Id);
        (await _store.ClaimBuildAsync(_t0, default)).ShouldBeNull();
        await _store.UpdateBuildAsync((await _store.GetBuildAsync(running.Id, default))! with { State = BuildStates.Succeeded, FinishedAt = _t0 }, default);
        (await _store.ClaimBuildAsync(_t0, default))!.Id.ShouldBe(newest.Id);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
