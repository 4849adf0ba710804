using Crossfade.Contracts.V1;
using Crossfade.Server.Storage;

namespace Crossfade.Tests.Server.Storage;

public sealed class DeployRequestTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("cf-store-").FullName;
    private readonly SqliteStore _store;
    private readonly DateTimeOffset _t0 = new(2026, 12, 3, 3, 0, 0, TimeSpan.Zero);

    public DeployRequestTests() => _store = new SqliteStore(Path.Combine(_dir, "crossfade.db"));

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private async Task<long> DeployAsync() =>
        (await _store.CreateDeployAsync(new DeployRecord(0, "shop", "prod", DeployKind.Deploy, "2", "1", DeployState.Verifying, "ann", "cli", _t0, null, null), null, false, default)).Deploy.Id;

    [Fact]
    public async Task Add_WhileTheHoldIsOpen_IsStored_TheFirstOfAKindStands_AndItSurvivesANewStore()
    {
        var id = await DeployAsync();

        (await _store.AddDeployRequestAsync(id, DeployRequestKind.Rollback, DeployState.Verifying, "ann", _t0, default)).ShouldBeTrue();
        (await _store.AddDeployRequestAsync(id, DeployRequestKind.Rollback, DeployState.Verifying, "bob", _t0.AddSeconds(1), default)).ShouldBeTrue();

        var reopened = new SqliteStore(Path.Combine(_dir, "crossfade.db"));
        (await reopened.ListDeployRequestsAsync(id, default))[DeployRequestKind.Rollback].ShouldBe("ann");
    }

    [Fact]
    public async Task Add_AfterTheHoldClosed_IsRefused_WhileAnotherPhasesHoldStillTakesIt()
    {
        var id = await DeployAsync();
        await _store.CloseHoldAsync(id, DeployState.Canary, _t0, default);

        (await _store.AddDeployRequestAsync(id, DeployRequestKind.Rollback, DeployState.Canary, "ann", _t0.AddSeconds(1), default)).ShouldBeFalse();
        (await _store.ListDeployRequestsAsync(id, default)).ContainsKey(DeployRequestKind.Rollback).ShouldBeFalse();
        (await _store.AddDeployRequestAsync(id, DeployRequestKind.Rollback, DeployState.Verifying, "ann", _t0.AddSeconds(2), default)).ShouldBeTrue();
    }
}
