using Crossfade.Contracts.V1;
using Crossfade.Core.Specs;
using Crossfade.Core.Telemetry;
using Crossfade.Server.Events;
using Crossfade.Server.Storage;

namespace Crossfade.Server.Telemetry;

/// <summary>
/// Turns a shipped batch into stored rows: access records (parsed, with their route and a per-minute
/// rollup) and log lines (with their level). A line that cannot be read as what its source says is
/// kept as raw text and counted, never dropped; the batch is stored once per (host, seq).
/// </summary>
public sealed class IngestService(IStore store, Timeline timeline, ErrorSpikeDetector spikes, TimeProvider time)
{
    public const int MaxStoredLine = 64 * 1024;

    public async Task<IngestResult> IngestAsync(string host, LogBatch batch, long dropped, CancellationToken ct)
    {
        var environments = await EnvironmentsOfAsync(host, batch.Lines.Select(l => l.App).Distinct(), ct);
        var access = new List<StoredAccess>();
        var logs = new List<StoredLogLine>();
        var counters = new Dictionary<string, long> { ["lines_received"] = batch.Lines.Count };
        foreach (var line in batch.Lines)
        {
            var env = environments.GetValueOrDefault(line.App ?? "", "");
            var text = line.Text ?? "";
            if (text.Length > MaxStoredLine)
            {
                text = text[..MaxStoredLine];
                counters["lines_truncated"] = counters.GetValueOrDefault("lines_truncated") + 1;
            }
            if (line.Source == LineSources.Access && AccessLineParser.Parse(text) is { } r)
            {
                access.Add(new StoredAccess(r.At, host, line.App!, env, r.Release ?? "unknown", r.Method, r.Path, RouteTemplate.Of(r.Path), r.Status, r.Ms, r.Bytes));
                continue;
            }
            if (line.Source == LineSources.Access)
                counters["access_lines_unparsed"] = counters.GetValueOrDefault("access_lines_unparsed") + 1;
            logs.Add(new StoredLogLine(line.At == default ? time.GetUtcNow() : line.At, host, line.App ?? "", env, line.File ?? "", LogLevels.Of(text), text));
        }
        if (dropped > 0)
            counters["lines_dropped_by_agents"] = dropped;
        var stored = await store.IngestAsync(new IngestWrite(host, batch.Seq, batch.Lines.Count, access, logs, Rollup(access), counters), ct);
        if (!stored)
        {
            await store.AddIngestCountersAsync(new Dictionary<string, long> { ["batches_duplicate"] = 1 }, ct);
            return new IngestResult(batch.Seq, 0, 0, Duplicate: true);
        }
        await spikes.ObserveAsync(access, ct);
        if (dropped > 0)
            await timeline.PublishAsync(new EventRecord(0, default, "shipping.dropped", $"{host} dropped {dropped} log lines: its buffer was full",
                "the agent could not reach the server for long enough that its on-disk buffer hit its bound; the oldest lines went first",
                [], "crossfade", AlertTypes.Warning, $"dropped-{host}", host, null, null, null), ct);
        return new IngestResult(batch.Seq, access.Count, logs.Count, Duplicate: false);
    }

    private static List<MinuteRollup> Rollup(List<StoredAccess> access) =>
        access.GroupBy(a => (Minute: a.At.ToUnixTimeSeconds() / 60, a.App, a.Environment, a.Host, a.Release, a.Route, a.Method))
            .Select(g =>
            {
                var hist = new LatencyHistogram();
                foreach (var a in g)
                    hist.Add(a.Ms);
                return new MinuteRollup(g.Key.Minute, g.Key.App, g.Key.Environment, g.Key.Host, g.Key.Release, g.Key.Route, g.Key.Method,
                    g.Count(), g.Count(a => a.Status >= 500), g.Sum(a => a.Ms), hist.Serialize());
            }).ToList();

    /// <summary>The environment each app puts this host in, by the apps' specs.</summary>
    private async Task<Dictionary<string, string>> EnvironmentsOfAsync(string host, IEnumerable<string?> apps, CancellationToken ct)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var app in apps.OfType<string>())
            if (await store.GetAppAsync(app, ct) is { } record && AppSpecParser.Parse(record.SpecYaml).Spec is { } spec
                && spec.Environments.Values.FirstOrDefault(e => e.Hosts.Any(h => h.Name == host)) is { } env)
                result[app] = env.Name;
        return result;
    }
}
