using Crossfade.Core.Specs;

namespace Crossfade.Tests.Core.Specs;

public sealed class PromotionSpecTests
{
    private static SpecParseResult Parse(string environments) =>
        AppSpecParser.Parse($"app: shop\nrun: ./run\nenvironments:\n{environments}");

    [Fact]
    public void RequiresAndFreezePolicy_AreRead()
    {
        var spec = Parse("  staging:\n    hosts:\n      s-1: [web]\n  production:\n    requires: staging\n    during_freeze: refuse\n    hosts:\n      p-1: [web]\n").Spec!;

        spec.Environments["production"].RequiredBefore.ShouldBe(["staging"]);
        spec.Environments["production"].DuringFreeze.ShouldBe(FreezePolicy.Refuse);
        (spec.Environments["staging"].RequiredBefore.Count, spec.Environments["staging"].DuringFreeze).ShouldBe((0, FreezePolicy.Queue));
    }

    [Theory]
    [InlineData("  prod:\n    requires: [qa]\n    hosts:\n      p-1: [web]\n", "names 'qa', which is not an environment")]
    [InlineData("  prod:\n    requires: [prod]\n    hosts:\n      p-1: [web]\n", "cannot require itself")]
    [InlineData("  a:\n    requires: [b]\n    hosts:\n      a-1: [web]\n  b:\n    requires: [a]\n    hosts:\n      b-1: [web]\n", "goes round in a circle")]
    [InlineData("  prod:\n    during_freeze: wait\n    hosts:\n      p-1: [web]\n", "is 'queue' or 'refuse', not 'wait'")]
    public void ABadPromotionRule_IsNamedWhereItIs(string environments, string problem)
    {
        var result = Parse(environments);

        result.IsValid.ShouldBeFalse();
        result.Errors.ShouldContain(e => e.Message.Contains(problem, StringComparison.Ordinal) && e.Line > 0, string.Join("; ", result.Errors.Select(e => e.Message)));
    }
}
