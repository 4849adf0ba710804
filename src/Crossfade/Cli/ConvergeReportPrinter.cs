using Crossfade.Contracts.V1;

namespace Crossfade.Cli;

/// <summary>Prints what a converge changed (or would change) on a host: each changed or failed resource, with its diff.</summary>
public static class ConvergeReportPrinter
{
    public static void Print(ConvergeReport report, TextWriter output, string indent)
    {
        foreach (var r in report.Resources.Where(r => r.Status is ResourceStatus.Changed or ResourceStatus.Failed))
        {
            output.WriteLine($"{indent}{(r.Status == ResourceStatus.Failed ? "FAILED " : report.WhyRun ? "would change " : "changed ")}{r.Id}{(r.Detail is null ? "" : $": {r.Detail}")}");
            if (r.Diff is not null)
                foreach (var line in r.Diff.TrimEnd('\n').Split('\n'))
                    output.WriteLine($"{indent}  {line}");
        }
        if (report.Notified.Count > 0)
            output.WriteLine($"{indent}{(report.WhyRun ? "would notify" : "notified")}: {string.Join(", ", report.Notified)}");
    }
}
