using System.Text;

namespace Crossfade.Core.Config;

/// <summary>A unified diff of two texts by lines (longest common subsequence), as <c>diff -u</c> prints it.</summary>
public static class UnifiedDiff
{
    private const int Context = 3;
    private const long MaxCells = 4_000_000;

    public static string Of(string? before, string after, string path)
    {
        var a = Lines(before ?? "");
        var b = Lines(after);
        var text = new StringBuilder($"--- {path}{(before is null ? " (absent)" : "")}\n+++ {path}\n");
        if ((long)a.Length * b.Length > MaxCells)
            return text.Append($"@@ too large to diff: {a.Length} lines now, {b.Length} lines wanted @@\n").ToString();
        var ops = Edits(a, b);
        var changes = ops.Select((op, index) => (op, index)).Where(x => x.op.Kind != ' ').Select(x => x.index).ToList();
        if (changes.Count == 0)
            return text.Append("\\ only the final newline differs\n").ToString();
        var first = 0;
        for (var k = 1; k <= changes.Count; k++)
        {
            // Changes closer than twice the context share one hunk, as diff -u does.
            if (k < changes.Count && changes[k] - changes[k - 1] <= 2 * Context)
                continue;
            var from = Math.Max(0, changes[first] - Context);
            var to = Math.Min(ops.Count, changes[k - 1] + 1 + Context);
            var hunk = ops.GetRange(from, to - from);
            var oldCount = hunk.Count(o => o.Kind != '+');
            var newCount = hunk.Count(o => o.Kind != '-');
            text.Append($"@@ -{hunk[0].OldBefore + (oldCount > 0 ? 1 : 0)},{oldCount} +{hunk[0].NewBefore + (newCount > 0 ? 1 : 0)},{newCount} @@\n");
            foreach (var op in hunk)
                text.Append(op.Kind).Append(op.Text).Append('\n');
            first = k;
        }
        return text.ToString();
    }

    private static string[] Lines(string text) =>
        text.Length == 0 ? [] : text.TrimEnd('\n').Split('\n');

    private static List<Op> Edits(string[] a, string[] b)
    {
        var lcs = new int[a.Length + 1, b.Length + 1];
        for (var x = a.Length - 1; x >= 0; x--)
            for (var y = b.Length - 1; y >= 0; y--)
                lcs[x, y] = a[x] == b[y] ? lcs[x + 1, y + 1] + 1 : Math.Max(lcs[x + 1, y], lcs[x, y + 1]);
        var ops = new List<Op>();
        int i = 0, j = 0;
        while (i < a.Length || j < b.Length)
        {
            if (i < a.Length && j < b.Length && a[i] == b[j])
                ops.Add(new Op(' ', a[i++], i - 1, j++));
            // Removals before additions, as diff -u prints a changed line.
            else if (i < a.Length && (j == b.Length || lcs[i + 1, j] >= lcs[i, j + 1]))
                ops.Add(new Op('-', a[i++], i - 1, j));
            else
                ops.Add(new Op('+', b[j++], i, j - 1));
        }
        return ops;
    }

    /// <summary>One line of the edit script, with how many old and new lines come before it.</summary>
    private sealed record Op(char Kind, string Text, int OldBefore, int NewBefore);
}
