using Crossfade.Contracts.V1;
using Crossfade.Server.Storage;

namespace Crossfade.Tests.Server.Storage;

public sealed class DeployLeaseTests : IDisposable
{
    private static readonly TimeSpan Expiry = TimeSpan.FromSeconds(30);
    private readonly string _dir = Directory.CreateTempSubdirectory("cf-store-").FullName;
    private readonly SqliteStore _store;
    private readonly DateTimeOffset _t0 = new(2026, 11, 22, 3, 0, 0, TimeSpan.Zero);

    public DeployLeaseTests() => _store = new SqliteStore(Path.Combine(_dir, "crossfade.db"));

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private async Task<DeployRecord> DeployAsync(DeployState state = DeployState.Queued, bool queue = false) =>
        (await _store.CreateDeployAsync(new DeployRecord(0, "shop", "prod", DeployKind.Deploy, "1", null, state, "ann", "cli", _t0, null, null), null, queue, default)).Deploy;

    [Fact]
    public async Task Claim_HeldLease_IsRefusedToOthersUntilItsHeartbeatIsStale()
    {
        var deploy = await DeployAsync();

        (await _store.ClaimDeployAsync(deploy.Id, "server-a", _t0, Expiry, default)).ShouldBeTrue();
        (await _store.ClaimDeployAsync(deploy.Id, "server-b", _t0.AddSeconds(10), Expiry, default)).ShouldBeFalse();
        (await _store.ClaimDeployAsync(deploy.Id, "server-a", _t0.AddSeconds(20), Expiry, default)).ShouldBeTrue("the owner renews");
        (await _store.ClaimDeployAsync(deploy.Id, "server-b", _t0.AddSeconds(45), Expiry, default)).ShouldBeFalse("renewed at 20s, so fresh until 50s");
        (await _store.ClaimDeployAsync(deploy.Id, "server-b", _t0.AddSeconds(51), Expiry, default)).ShouldBeTrue("expired: taken over");
        (await _store.GetDeployAsync(deploy.Id, default))!.Owner.ShouldBe("server-b");
    }

    [Fact]
    public async Task Claim_FinishedDeploy_IsNeverGranted()
    {
        var deploy = await DeployAsync();
        await _store.SetDeployStateAsync(deploy.Id, DeployState.Succeeded, null, _t0, true, default);

        (await _store.ClaimDeployAsync(deploy.Id, "server-a", _t0, Expiry, default)).ShouldBeFalse();
    }

    [Fact]
    public async Task Create_WhileOneRuns_RefusesOrQueuesBehindIt()
    {
        var first = await DeployAsync(DeployState.Preparing);

        var (holder, created) = await _store.CreateDeployAsync(first with { Id = 0, State = DeployState.Queued }, null, queue: false, default);
        var (queued, queuedCreated) = await _store.CreateDeployAsync(first with { Id = 0, State = DeployState.Queued }, null, queue: true, default);

        created.ShouldBeFalse();
        holder.Id.ShouldBe(first.Id);
        queuedCreated.ShouldBeTrue();
        (await _store.DeployAheadAsync(queued, default))!.Id.ShouldBe(first.Id);
        await _store.SetDeployStateAsync(first.Id, DeployState.Succeeded, null, _t0, true, default);
        (await _store.DeployAheadAsync(queued, default)).ShouldBeNull();
    }
}
