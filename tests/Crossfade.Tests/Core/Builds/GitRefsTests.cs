using Crossfade.Core.Builds;
using Crossfade.Core.Specs;

namespace Crossfade.Tests.Core.Builds;

public sealed class GitRefsTests
{
    private static readonly TriggersSpec Triggers = new([("main", "staging"), ("release/*", "staging")], [("v*", "production")]);

    [Theory]
    [InlineData("refs/heads/main", "staging")]
    [InlineData("refs/heads/release/2026-12", "staging")]
    [InlineData("refs/heads/release/a/b", null)]
    [InlineData("refs/heads/feature/x", null)]
    [InlineData("refs/tags/v1.4.2", "production")]
    [InlineData("refs/tags/nightly", null)]
    [InlineData("refs/pull/12/head", null)]
    public void APushedRef_MapsToItsEnvironment(string gitRef, string? environment)
    {
        GitRefs.EnvironmentFor(Triggers, gitRef).ShouldBe(environment);
    }

    [Theory]
    [InlineData("refs/tags/v1.4.2", "v1.4.2")]
    [InlineData("refs/heads/main", "main-0123456")]
    [InlineData("refs/heads/feature/new checkout", "feature-new-checkout-0123456")]
    [InlineData("refs/tags/.hidden", "hidden-0123456")]
    public void ABuildsVersion_IsTheTagOrTheBranchAndShortSha(string gitRef, string version)
    {
        GitRefs.VersionFor(gitRef, "0123456789abcdef0123456789abcdef01234567").ShouldBe(version);
    }

    [Theory]
    [InlineData("refs/heads/main", true)]
    [InlineData("v1.2.3", true)]
    [InlineData("--upload-pack=evil", false)]
    [InlineData("refs/heads/../../etc", false)]
    [InlineData("main\nextra", false)]
    [InlineData("HEAD@{1}", false)]
    [InlineData("a b", false)]
    [InlineData("", false)]
    public void OnlyRefsGitWouldTake_AreHandedToIt(string name, bool safe)
    {
        GitRefs.IsSafe(name).ShouldBe(safe);
    }
}
