using System.Text.Json;
using Crossfade.Contracts.V1;
using Crossfade.Server.Deploys;
using Crossfade.Server.Storage;

namespace Crossfade.Server.Dashboard.Views;

/// <summary>Where a failed deploy failed: the host, the step, its message and its last lines.</summary>
public sealed record FailureSummary(string Host, StepKind Step, string? Message, IReadOnlyList<string> LastLines);

/// <summary>A cell of the hosts × steps grid: how the host's steps of that kind stand (the newest one's status, and how many ran).</summary>
public sealed record GridCell(StepStatus Status, int Count, string? Message);

/// <summary>The live deploy page's changing part.</summary>
public sealed record DeployLive(
    DeployView Deploy, IReadOnlyList<string> Hosts, IReadOnlyList<StepKind> Columns, IReadOnlyDictionary<(string Host, StepKind Kind), GridCell> Grid,
    FailureSummary? Failure, string? JudgeChart, bool Held, DateTimeOffset Now);

/// <summary>Reads a deploy for its live page in a fixed number of queries, however many hosts it has.</summary>
public static class DeployPageLoader
{
    public const int LogLines = 400;

    public static async Task<DeployLive?> LoadAsync(IStore store, long id, DateTimeOffset now, CancellationToken ct)
    {
        if (await store.GetDeployAsync(id, ct) is not { } record)
            return null;
        var view = await DeployViews.LoadAsync(store, record, ct);
        var hosts = view.Steps.Select(s => s.Host).Distinct().Order(StringComparer.Ordinal).ToList();
        var columns = view.Steps.Select(s => s.Kind).Distinct().ToList();
        var grid = view.Steps.GroupBy(s => (s.Host, s.Kind)).ToDictionary(g => g.Key, g =>
        {
            var newest = g.MaxBy(s => s.Id)!;
            return new GridCell(newest.Status, g.Count(), newest.Message);
        });
        FailureSummary? failure = null;
        if (view.State is DeployState.RolledBack or DeployState.Aborted or DeployState.Failed or DeployState.Mixed or DeployState.RollingBack
            && view.Steps.FirstOrDefault(s => s.Status == StepStatus.Failed) is { } failed)
        {
            var lines = await store.ReadStepLogAsync(id, failed.Host, 0, ct);
            failure = new FailureSummary(failed.Host, failed.Kind, failed.Message,
                lines.Where(l => l.StepId == failed.Id).TakeLast(12).Select(l => l.Line.Line).ToList());
        }
        var judged = view.Verdicts is { Count: > 0 } && view.FromVersion is not null;
        var chart = judged ? await JudgeChartAsync(store, view, now, ct) : null;
        var held = view.State is DeployState.Canary or DeployState.Judging;
        return new DeployLive(view, hosts, columns, grid, failure, chart, held, now);
    }

    /// <summary>Candidate against baseline, minute by minute, over the deploy: the 5xx share and p95 of each release.</summary>
    private static async Task<string> JudgeChartAsync(IStore store, DeployView view, DateTimeOffset now, CancellationToken ct)
    {
        var from = view.CreatedAt.AddMinutes(-1);
        var to = view.FinishedAt ?? now;
        var rows = await store.ListReleaseSeriesAsync(view.App, view.Environment, [view.Version, view.FromVersion!], from, to, ct);
        var minutes = rows.Select(r => r.Point.Minute).Distinct().Order().ToList();
        var byRelease = rows.ToLookup(r => r.Release, r => r.Point);
        double?[] Column(string release, Func<ChartPoint, double> pick)
        {
            var points = byRelease[release].ToDictionary(p => p.Minute);
            return minutes.Select(m => points.TryGetValue(m, out var p) && p.Requests > 0 ? pick(Charts.Point(p, 1)) : (double?)null).ToArray();
        }
        return JsonSerializer.Serialize(new
        {
            candidate = view.Version, baseline = view.FromVersion,
            from = from.ToUnixTimeSeconds() / 60 * 60, to = (to.ToUnixTimeSeconds() / 60 + 1) * 60,
            t = minutes.Select(m => m * 60),
            candErr = Column(view.Version, p => p.ErrorRate), baseErr = Column(view.FromVersion!, p => p.ErrorRate),
            candP95 = Column(view.Version, p => p.P95), baseP95 = Column(view.FromVersion!, p => p.P95),
        });
    }
}
