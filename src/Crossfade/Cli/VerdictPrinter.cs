using Crossfade.Contracts.V1;

namespace Crossfade.Cli;

/// <summary>Prints the judge's verdicts on a deploy: each look that changed the outcome in a line, the final ones with their checks.</summary>
public static class VerdictPrinter
{
    /// <summary>The most check sentences printed under a verdict; the rest are counted.</summary>
    private const int MaxChecks = 12;

    public static void Print(long deployId, IReadOnlyList<JudgeVerdictView> verdicts, TextWriter output)
    {
        if (verdicts.Count == 0)
            return;
        output.WriteLine("judge:");
        foreach (var v in verdicts)
            PrintOne(deployId, v, output, "  ");
    }

    /// <summary>One verdict in a line; a final one with its checks under it, the failing ones first.</summary>
    public static void PrintOne(long deployId, JudgeVerdictView v, TextWriter output, string indent)
    {
        var window = v.Phase == DeployState.Judging ? "judged window" : "bake window";
        output.WriteLine($"{indent}{v.At:HH:mm:ss} {window,-13} {WireNames.Of(v.Outcome),-12} {v.Action}: {v.Summary}");
        if (!v.Final)
            return;
        var checks = v.Checks.OrderBy(c => c.Outcome == JudgeOutcome.Fail ? 0 : 1).ToList();
        foreach (var c in checks.Take(MaxChecks))
            output.WriteLine($"{indent}    {(c.Outcome == JudgeOutcome.Fail ? "✗" : c.Outcome == JudgeOutcome.Pass ? "✓" : "?")} {c.Sentence}");
        if (checks.Count > MaxChecks)
            output.WriteLine($"{indent}    … and {checks.Count - MaxChecks} more checks ('crossfade show {deployId} --json' has them all)");
    }

    /// <summary>
    /// The steps, with the checks a judged window repeats folded into one line per host: how many ran and
    /// how many failed, the last failure's message. Each line ends with its newline.
    /// </summary>
    public static IEnumerable<string> Steps(IReadOnlyList<StepView> steps, Func<StepView, string> line)
    {
        var checks = steps.Where(s => s.Kind == StepKind.Check).GroupBy(s => s.Host).Where(g => g.Count() > 1)
            .ToDictionary(g => g.Key, g => g.ToList());
        foreach (var s in steps)
        {
            if (s.Kind != StepKind.Check || !checks.TryGetValue(s.Host, out var repeated))
            {
                yield return line(s);
                continue;
            }
            if (!ReferenceEquals(repeated[0], s))
                continue;
            var failed = repeated.Where(r => r.Status == StepStatus.Failed).ToList();
            yield return $"    {s.Host,-10} check    ×{repeated.Count,-7} {failed.Count} failed{(failed.Count > 0 ? $"; last: {failed[^1].Message}" : "")}{Environment.NewLine}";
        }
    }
}
