using Crossfade.Contracts.V1;
using Crossfade.Core.Deploys;

namespace Crossfade.Tests.Core.Deploys;

public class DeployTransitionsTests
{
    [Theory]
    [InlineData(DeployState.Queued, DeployState.Preparing)]
    [InlineData(DeployState.Preparing, DeployState.Aborted)]
    [InlineData(DeployState.Migrating, DeployState.CuttingOver)]
    [InlineData(DeployState.CuttingOver, DeployState.RollingBack)]
    [InlineData(DeployState.RollingBack, DeployState.RolledBack)]
    public void IsLegal_RunbookTransitions_AreAllowed(DeployState from, DeployState to) =>
        DeployTransitions.IsLegal(from, to).ShouldBeTrue();

    [Theory]
    [InlineData(DeployState.CuttingOver, DeployState.Aborted)]
    [InlineData(DeployState.Succeeded, DeployState.RollingBack)]
    [InlineData(DeployState.Preparing, DeployState.Succeeded)]
    [InlineData(DeployState.Aborted, DeployState.Preparing)]
    public void IsLegal_ShortcutsAndRestarts_AreRefused(DeployState from, DeployState to)
    {
        DeployTransitions.IsLegal(from, to).ShouldBeFalse();
        Should.Throw<InvalidOperationException>(() => DeployTransitions.Ensure(from, to));
    }

    [Fact]
    public void IsTerminal_OnlyTheEndings() =>
        Enum.GetValues<DeployState>().Where(DeployTransitions.IsTerminal)
            .ShouldBe([DeployState.Succeeded, DeployState.Aborted, DeployState.RolledBack, DeployState.Mixed, DeployState.Failed], ignoreOrder: true);

    [Fact]
    public void IsLegal_OnlyARollbackEndsMixed()
    {
        DeployTransitions.IsLegal(DeployState.RollingBack, DeployState.Mixed).ShouldBeTrue();
        Enum.GetValues<DeployState>().Where(s => s != DeployState.RollingBack).ShouldAllBe(s => !DeployTransitions.IsLegal(s, DeployState.Mixed));
    }

    [Fact]
    public void IsLegal_ConvergingEndsOnlyForAConvergeOutsideADeploy()
    {
        DeployTransitions.IsLegal(DeployState.Converging, DeployState.Failed).ShouldBeTrue();
        DeployTransitions.IsLegal(DeployState.Preparing, DeployState.Failed).ShouldBeFalse();
        DeployTransitions.IsLegal(DeployState.CuttingOver, DeployState.Failed).ShouldBeFalse();
    }
}
