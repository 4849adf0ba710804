using System.Text;
using System.Text.Json;
using Crossfade.Agent.Steps;

namespace Crossfade.Agent.Checks;

/// <summary>Warms a candidate before it takes real clients, so the judge does not compare a cold instance with a warm one.</summary>
public interface IWarmUp
{
    /// <summary>
    /// Sends the candidate at <paramref name="baseUrl"/> requests like the host's recent ones until it
    /// answers them about as fast as the live instance at <paramref name="liveUrl"/> does (when there is
    /// one), bounded in count and time; says what it did.
    /// </summary>
    Task<string> WarmAsync(string baseUrl, string? liveUrl, string accessLog, StepLog log, CancellationToken ct);
}

/// <summary>
/// Replays the host's recent successful GET paths (read from the tail of its proxy's access log,
/// without their query strings, each path once) against the candidate directly — not through the
/// proxy, so none of them reaches the access records the judge reads — in rounds, until a round's
/// median is within reach of the live instance's on the same paths, or the bounds are spent. A
/// freshly started .NET or JVM instance runs its code unoptimised at first; this is when it gets
/// compiled, instead of on the first shoppers. At least two rounds: the first one's median flatters a
/// candidate whose slowest paths are not compiled yet.
/// </summary>
/// <param name="time">The clock the durations and the time bound are read on.</param>
/// <param name="maxRequests">The most warm-up requests sent to a candidate.</param>
/// <param name="round">How many go in a round, after which the candidate is compared with the live instance.</param>
public sealed class RecentTrafficWarmUp(TimeProvider time, int maxRequests = 3_000, int round = 50) : IWarmUp
{
    public const int MaxPaths = 100;
    public static readonly TimeSpan MaxTime = TimeSpan.FromSeconds(15);
    private const int TailBytes = 256 * 1024;
    private const int Parallel = 4;

    private static readonly HttpClient Http = new(new SocketsHttpHandler { UseProxy = false, PooledConnectionLifetime = TimeSpan.FromSeconds(10) })
    {
        Timeout = TimeSpan.FromSeconds(5),
    };

    public async Task<string> WarmAsync(string baseUrl, string? liveUrl, string accessLog, StepLog log, CancellationToken ct)
    {
        var paths = RecentGets(accessLog, MaxPaths);
        if (paths.Count == 0)
            return "no recent requests to warm the candidate with";
        var started = time.GetTimestamp();
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(ct);
        bounded.CancelAfter(MaxTime);
        var sent = 0;
        double candidateMedian = double.NaN, liveMedian = double.NaN;
        for (var rounds = 0; sent < maxRequests && !bounded.IsCancellationRequested; rounds++)
        {
            var batch = Enumerable.Range(sent, Math.Min(round, maxRequests - sent)).Select(i => paths[i % paths.Count]).ToList();
            candidateMedian = Median(await TimeAllAsync(baseUrl, batch, Parallel, bounded.Token));
            sent += batch.Count;
            if (liveUrl is null)
                continue;
            // The live instance, on a sample of the same paths, one at a time: what "warm" means on this host now.
            liveMedian = Median(await TimeAllAsync(liveUrl, batch.Take(Math.Max(1, round / 5)).ToList(), 1, bounded.Token));
            if (rounds >= 1 && candidateMedian <= liveMedian * 1.5 + 1)
                break;
        }
        var summary = $"warmed the candidate with {sent} requests like the host's recent ones in {time.GetElapsedTime(started).TotalMilliseconds:0} ms"
            + (double.IsNaN(liveMedian) ? "" : $" (median {candidateMedian:0.0} ms, the live instance {liveMedian:0.0} ms)");
        log.Write(summary);
        return summary;
    }

    /// <summary>The durations of the requests that were answered, <paramref name="parallel"/> at a time; a failed one is left out.</summary>
    private async Task<List<double>> TimeAllAsync(string baseUrl, IReadOnlyList<string> paths, int parallel, CancellationToken ct)
    {
        var durations = new List<double>();
        var next = -1;
        var workers = Enumerable.Range(0, parallel).Select(async _ =>
        {
            while (Interlocked.Increment(ref next) is var i && i < paths.Count && !ct.IsCancellationRequested)
            {
                try
                {
                    using var request = new HttpRequestMessage(HttpMethod.Get, baseUrl.TrimEnd('/') + paths[i]);
                    request.Headers.UserAgent.ParseAdd("crossfade-warmup/1");
                    request.Headers.Add("X-Crossfade-Warmup", "1");
                    var began = time.GetTimestamp();
                    using var response = await Http.SendAsync(request, ct);
                    await response.Content.LoadIntoBufferAsync(ct);
                    lock (durations)
                        durations.Add(time.GetElapsedTime(began).TotalMilliseconds);
                }
                catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException)
                {
                    // A warm-up request that fails warms nothing more; the health check said the candidate serves.
                }
            }
        });
        await Task.WhenAll(workers);
        return durations;
    }

    private static double Median(List<double> values)
    {
        values.Sort();
        return Core.Judging.Quantiles.OfSorted(values, 0.5);
    }

    /// <summary>
    /// The distinct paths (query strings dropped) of the most recent GETs answered 2xx in the access
    /// log's tail, most recent first, at most <paramref name="max"/>; none when there is no log.
    /// </summary>
    public static List<string> RecentGets(string accessLog, int max)
    {
        if (!File.Exists(accessLog))
            return [];
        using var file = new FileStream(accessLog, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        var from = Math.Max(0, file.Length - TailBytes);
        file.Seek(from, SeekOrigin.Begin);
        var buffer = new byte[file.Length - from];
        file.ReadExactly(buffer);
        var lines = Encoding.UTF8.GetString(buffer).Split('\n');
        var paths = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        // The first line of a tail read from the middle of the file is cut: it is skipped.
        foreach (var line in lines.Skip(from > 0 ? 1 : 0).Reverse())
        {
            if (paths.Count >= max)
                break;
            if (PathOf(line) is { } path && seen.Add(path))
                paths.Add(path);
        }
        return paths;
    }

    private static string? PathOf(string line)
    {
        if (line.Length == 0 || line[0] != '{')
            return null;
        try
        {
            using var doc = JsonDocument.Parse(line);
            var root = doc.RootElement;
            // Any field of another type than the proxy writes makes the line no request.
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("method", out var m) || m.ValueKind != JsonValueKind.String || m.GetString() != "GET"
                || !root.TryGetProperty("status", out var s) || s.ValueKind != JsonValueKind.Number || !s.TryGetInt32(out var status) || status is < 200 or > 299
                || !root.TryGetProperty("path", out var p) || p.ValueKind != JsonValueKind.String || p.GetString() is not { } path
                || !path.StartsWith('/') || path.StartsWith("//", StringComparison.Ordinal))
                return null;
            // The query string is a client's own choice: only the path is replayed.
            var query = path.IndexOf('?');
            return query < 0 ? path : path[..query];
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
