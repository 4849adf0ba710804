using Crossfade.Core.Specs;

namespace Crossfade.Tests.Core.Specs;

public sealed class BuildSpecTests
{
    private const string Environments = "environments:\n  staging:\n    hosts:\n      s-1: [web]\n";

    private static SpecParseResult Parse(string tail) => AppSpecParser.Parse($"app: shop\nrun: ./run\n{Environments}{tail}");

    [Fact]
    public void ABuildSection_IsRead_WithItsDefaults()
    {
        var spec = Parse("build:\n  repository: git@example.com:shop.git\n  command: make\n").Spec!;

        spec.Build.ShouldBe(new BuildSpec("git@example.com:shop.git", "make", ".", 900, BuildSpec.OnServer));
    }

    [Fact]
    public void EveryFieldOfABuild_AndItsTriggers_AreRead()
    {
        var spec = Parse("build:\n  repository: /srv/shop.git\n  command: dotnet publish -o out\n  output: out/\n  timeout_seconds: 600\n  runs_on: builder\n"
            + "triggers:\n  branches:\n    main: staging\n  tags:\n    \"v*\": staging\n").Spec!;

        spec.Build.ShouldBe(new BuildSpec("/srv/shop.git", "dotnet publish -o out", "out", 600, BuildSpec.OnBuilder));
        spec.Triggers!.Branches.ShouldBe([("main", "staging")]);
        spec.Triggers.Tags.ShouldBe([("v*", "staging")]);
    }

    [Theory]
    [InlineData("build:\n  repository: r\n  command: c\n  runs_on: laptop\n", "build.runs_on", "'laptop' is not where a build runs")]
    [InlineData("build:\n  repository: r\n  command: c\n  output: ../out\n", "build.output", "must be a relative path inside the repository")]
    [InlineData("build:\n  repository: r\n  command: c\n  output: /tmp\n", "build.output", "must be a relative path inside the repository")]
    [InlineData("build:\n  repository: --upload-pack=touch /tmp/x\n  command: c\n", "build.repository", "is not a repository address")]
    [InlineData("build:\n  repository: r\n  command: c\n  timeout_seconds: 1\n", "build.timeout_seconds", "")]
    [InlineData("build:\n  repository: r\n", "build.command", "is required")]
    [InlineData("build:\n  repository: r\n  command: c\n  cache: yes\n", "build.cache", "")]
    [InlineData("triggers:\n  branches:\n    main: staging\n", "triggers", "needs a 'build' section")]
    [InlineData("build:\n  repository: r\n  command: c\ntriggers:\n  branches:\n    main: production\n", "triggers.branches", "'main' maps to 'production', which is not an environment")]
    public void AMistakeInABuild_IsNamedWhereItIs(string tail, string field, string problem)
    {
        var result = Parse(tail);

        result.IsValid.ShouldBeFalse();
        result.Errors.ShouldContain(e => e.Field == field && e.Message.Contains(problem, StringComparison.Ordinal) && e.Line > 0,
            string.Join("; ", result.Errors.Select(e => $"{e.Field}: {e.Message}")));
    }
}
