using Crossfade.Contracts.V1;
using Crossfade.Core.Deploys;

namespace Crossfade.Tests.Core.Deploys;

public class DeployResumeOrderTests
{
    [Theory]
    [InlineData(DeployState.Canary, DeployState.CuttingOver, true)]
    [InlineData(DeployState.Canary, DeployState.Canary, true)]
    [InlineData(DeployState.Canary, DeployState.Promoting, false)]
    [InlineData(DeployState.Queued, DeployState.Converging, false)]
    [InlineData(DeployState.Verifying, DeployState.Migrating, true)]
    [InlineData(DeployState.RollingBack, DeployState.Verifying, true)]
    public void HasEntered_FollowsTheDeclaredOrder(DeployState current, DeployState phase, bool entered) =>
        DeployResumeOrder.HasEntered(current, phase).ShouldBe(entered);

    [Fact]
    public void HasEntered_AStateThatIsNoPhaseForward_IsRefused() =>
        Should.Throw<ArgumentException>(() => DeployResumeOrder.HasEntered(DeployState.Preparing, DeployState.RolledBack));

    [Fact]
    public void ForwardPhasesOfARun_FollowTheDeclaredResumeOrder()
    {
        var states = Crossfade.Server.Deploys.DeployRun.ForwardStates;

        states.Zip(states.Skip(1)).ShouldAllBe(pair => DeployResumeOrder.HasEntered(pair.Second, pair.First));
        // A state missing from the declared order is refused there, so every phase of a run must be in it.
        states.ShouldAllBe(s => DeployResumeOrder.HasEntered(s, s));
    }
}
