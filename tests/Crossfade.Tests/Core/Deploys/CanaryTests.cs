using Crossfade.Contracts.V1;
using Crossfade.Core.Deploys;
using Crossfade.Core.Specs;

namespace Crossfade.Tests.Core.Deploys;

public class CanaryTests
{
    private static AppSpec Spec(int webs) =>
        new("shop", "run", "work", null, new HealthSpec("/health", 5), 8080, 5, 5, [], new Dictionary<string, string>(),
            new Dictionary<string, EnvironmentSpec>
            {
                ["prod"] = new("prod", [.. Enumerable.Range(1, webs).Reverse().Select(i => new HostSpec($"web-{i}", ["web"])), new HostSpec("job-1", ["worker"])]),
            });

    [Theory]
    [InlineData("1", 1, null)]
    [InlineData("25%", null, 25)]
    public void Parse_CountOrPercent(string text, int? count, int? percent)
    {
        var (spec, error) = CanarySpec.Parse(text, 60);

        error.ShouldBeNull();
        spec.ShouldBe(new CanarySpec(count, percent, 60));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("100%")]
    [InlineData("half")]
    [InlineData("-1")]
    public void Parse_Nonsense_SaysWhatIsExpected(string text) =>
        CanarySpec.Parse(text, null).Error!.ShouldContain("not a canary size");

    [Fact]
    public void Plan_Canary_SwitchesTheFirstWebHostsByNameThenTheRestWithTheWorkers()
    {
        var plan = DeployPlanner.Plan(Spec(4), "prod", DeployKind.Deploy, new CanarySpec(null, 25, null)).Plan!;

        plan.Phases.Select(p => p.State).ShouldBe([DeployState.Preparing, DeployState.CuttingOver, DeployState.Canary, DeployState.Promoting]);
        plan.Phase(DeployState.CuttingOver)!.Steps.Select(s => s.Host).ShouldBe(["web-1"]);
        plan.Phase(DeployState.Promoting)!.Steps.Select(s => s.Host).ShouldBe(["web-4", "web-3", "web-2", "job-1"]);
        plan.Phases.SelectMany(p => p.Steps).Where(s => s.Kind == StepKind.Activate).Select(s => s.Host).ShouldBeUnique();
    }

    [Theory]
    [InlineData(1, "1")]
    [InlineData(3, "3")]
    [InlineData(3, "99%")]
    public void Plan_CanaryThatLeavesNoHostOnTheOldRelease_IsRefused(int webs, string canary) =>
        DeployPlanner.Plan(Spec(webs), "prod", DeployKind.Deploy, CanarySpec.Parse(canary, null).Spec).Refusal!.ShouldContain("at least one on the old release");
}
