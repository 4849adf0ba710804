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
public sealed partial class IngestService(IStore store, AppSpecs specs, Timeline timeline, ErrorSpikeDetector spikes, FingerprintSpikeDetector fingerprintSpikes, Exporters exporters, TimeProvider time)
{
    public const int MaxStoredLine = 64 * 1024;

    public async Task<IngestResult> IngestAsync(string host, LogBatch batch, long dropped, CancellationToken ct)
    {
        var environments = await EnvironmentsOfAsync(host, batch.Lines.Select(l => l.App).Distinct(), ct);
        var access = new List<StoredAccess>();
        var logs = new List<StoredLogLine>();
        var counters = new Dictionary<string, long> { ["lines_received"] = batch.Lines.Count };
        var appLines = new List<ShippedLine>();
        var received = time.GetUtcNow();
        foreach (var line in batch.Lines)
        {
            var env = environments.GetValueOrDefault(line.App ?? "", "");
            if (line.Source == LineSources.Access && AccessLineParser.Parse(line.Text ?? "") is { } r)
            {
                access.Add(new StoredAccess(r.At, host, line.App!, env, r.Release ?? "unknown", r.Method, r.Path, RouteTemplate.Of(r.Path), r.Status, r.Ms, r.Bytes, r.Bot));
                var lag = ShipLag.CounterOf(received - r.At);
                counters[lag] = counters.GetValueOrDefault(lag) + 1;
                continue;
            }
            if (line.Source == LineSources.Access)
            {
                counters["access_lines_unparsed"] = counters.GetValueOrDefault("access_lines_unparsed") + 1;
                logs.Add(Stored(host, env, [line], counters));
            }
            else
                appLines.Add(line);
        }
        var sightings = new List<ErrorSighting>();
        // A stack trace's lines join the line before them, per file, in the order they were read.
        foreach (var file in appLines.GroupBy(l => (l.App, l.File)))
        {
            var patterns = await specs.ErrorPatternsAsync(file.Key.App ?? "", ct);
            foreach (var entry in LogEntries.Group(file, l => l.Text ?? ""))
            {
                var env = environments.GetValueOrDefault(file.Key.App ?? "", "");
                var joined = Stored(host, env, entry, counters);
                if (joined.Level != LogLevels.Error && MatchesAny(patterns, joined.Text, counters))
                {
                    joined = joined with { Level = LogLevels.Error };
                    counters["lines_matched_error_patterns"] = counters.GetValueOrDefault("lines_matched_error_patterns") + 1;
                }
                logs.Add(joined);
                if (joined.Level == LogLevels.Error)
                {
                    var print = ErrorFingerprint.Of(joined.Text);
                    sightings.Add(new ErrorSighting(joined.App, env, print.Fingerprint, print.Message, print.TopFrame, ReleaseOf(joined.File), host, joined.At));
                }
            }
        }
        if (dropped > 0)
            counters["lines_dropped_by_agents"] = dropped;
        var stored = await store.IngestAsync(new IngestWrite(host, batch.Seq, batch.Lines.Count, access, logs, Rollup(access), counters, time.GetUtcNow()), ct);
        if (!stored)
        {
            await store.AddIngestCountersAsync(new Dictionary<string, long> { ["batches_duplicate"] = 1 }, ct);
            return new IngestResult(batch.Seq, 0, 0, Duplicate: true);
        }
        exporters.Offer(logs);
        await spikes.ObserveAsync(access, ct);
        await fingerprintSpikes.ObserveAsync(sightings, ct);
        foreach (var fresh in await store.RecordErrorsAsync(sightings, ct))
            await timeline.PublishAsync(new EventRecord(0, default, "error.new",
                $"New error in {fresh.App}{(fresh.Release is null ? "" : $" {fresh.Release}")} ({fresh.Environment}): {fresh.Message}",
                $"first seen on {fresh.Host}{(fresh.TopFrame is null ? "" : $"\n{fresh.TopFrame}")}",
                [$"fingerprint:{fresh.Fingerprint}", .. fresh.Release is null ? Array.Empty<string>() : [$"release:{fresh.Release}"]],
                "crossfade", AlertTypes.Error, $"error-{fresh.Fingerprint}", fresh.Host, fresh.App, fresh.Environment, null), ct);
        if (dropped > 0)
            await timeline.PublishAsync(new EventRecord(0, default, "shipping.dropped", $"{host} dropped {dropped} log lines: its buffer was full",
                "the agent could not reach the server for long enough that its on-disk buffer hit its bound; the oldest lines went first",
                [], "crossfade", AlertTypes.Warning, $"dropped-{host}", host, null, null, null), ct);
        return new IngestResult(batch.Seq, access.Count, logs.Count, Duplicate: false);
    }

    private StoredLogLine Stored(string host, string env, IReadOnlyList<ShippedLine> entry, Dictionary<string, long> counters)
    {
        var text = string.Join('\n', entry.Select(l => l.Text ?? ""));
        if (text.Length > MaxStoredLine)
        {
            text = text[..MaxStoredLine];
            counters["lines_truncated"] = counters.GetValueOrDefault("lines_truncated") + 1;
        }
        var first = entry[0];
        return new StoredLogLine(first.At == default ? time.GetUtcNow() : first.At, host, first.App ?? "", env, first.File ?? "", LogLevels.Of(first.Text ?? ""), text);
    }

    /// <summary>Whether one of the app's error patterns matches; a pattern that takes too long counts as no match.</summary>
    private static bool MatchesAny(System.Text.RegularExpressions.Regex[] patterns, string text, Dictionary<string, long> counters)
    {
        foreach (var pattern in patterns)
        {
            try
            {
                if (pattern.IsMatch(text))
                    return true;
            }
            catch (System.Text.RegularExpressions.RegexMatchTimeoutException)
            {
                counters["error_pattern_timeouts"] = counters.GetValueOrDefault("error_pattern_timeouts") + 1;
            }
        }
        return false;
    }

    /// <summary>An instance's output file names its release: <c>web-2.0.0.log</c>.</summary>
    private static string? ReleaseOf(string file) =>
        ReleaseFile().Match(file) is { Success: true } m ? m.Groups[1].Value : null;

    [System.Text.RegularExpressions.GeneratedRegex(@"^(?:web|worker)-(.+)\.log$")]
    private static partial System.Text.RegularExpressions.Regex ReleaseFile();

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
            if (await specs.GetAsync(app, ct) is { } spec
                && spec.Environments.Values.FirstOrDefault(e => e.Hosts.Any(h => h.Name == host)) is { } env)
                result[app] = env.Name;
        return result;
    }
}
