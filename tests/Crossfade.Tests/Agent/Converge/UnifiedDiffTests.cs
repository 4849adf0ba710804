using Crossfade.Core.Config;
using Crossfade.Agent.Converge;

namespace Crossfade.Tests.Agent.Converge;

public class UnifiedDiffTests
{
    [Fact]
    public void Of_NewFile_IsAllAdditions() =>
        UnifiedDiff.Of(null, "a\nb\n", "x.conf").ShouldBe("--- x.conf (absent)\n+++ x.conf\n@@ -0,0 +1,2 @@\n+a\n+b\n");

    [Fact]
    public void Of_DistantChanges_AreSeparateHunksWithThreeLinesOfContext()
    {
        var before = string.Join("\n", Enumerable.Range(1, 20)) + "\n";
        var after = before.Replace("\n2\n", "\ntwo\n").Replace("\n19\n", "\nnineteen\n");

        var diff = UnifiedDiff.Of(before, after, "n.txt");

        diff.Split('\n').Count(l => l.StartsWith("@@")).ShouldBe(2);
        diff.ShouldContain("@@ -1,5 +1,5 @@\n 1\n-2\n+two\n 3\n 4\n 5\n");
        diff.ShouldContain("@@ -16,5 +16,5 @@\n 16\n 17\n 18\n-19\n+nineteen\n 20\n");
    }

    [Fact]
    public void Of_OnlyTheFinalNewline_SaysSo() =>
        UnifiedDiff.Of("a\n", "a", "f").ShouldContain("only the final newline differs");
}
