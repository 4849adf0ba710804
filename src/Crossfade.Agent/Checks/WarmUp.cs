using System.Text;
using System.Text.Json;
using Crossfade.Agent.Steps;

namespace Crossfade.Agent.Checks;

/// <summary>Warms a candidate before it takes real clients, so the judge does not compare a cold instance with a warm one.</summary>
public interface IWarmUp
{
    /// <summary>Sends the candidate at <paramref name="baseUrl"/> requests like the host's recent ones; says what it did.</summary>
    Task<string> WarmAsync(string baseUrl, string accessLog, StepLog log, CancellationToken ct);
}

/// <summary>
/// Replays the host's recent GET requests (read from the tail of its proxy's access log) against the
/// candidate directly — not through the proxy, so none of them reaches the access records the judge
/// reads — bounded in count and time. Only GETs that were answered below 400 are replayed: they are
/// the requests a shopper repeats without changing anything.
/// </summary>
public sealed class RecentTrafficWarmUp(TimeProvider time) : IWarmUp
{
    public const int MaxRequests = 400;
    public static readonly TimeSpan MaxTime = TimeSpan.FromSeconds(5);
    private const int TailBytes = 256 * 1024;
    private const int Parallel = 4;

    private static readonly HttpClient Http = new(new SocketsHttpHandler { UseProxy = false, PooledConnectionLifetime = TimeSpan.FromSeconds(10) })
    {
        Timeout = TimeSpan.FromSeconds(5),
    };

    public async Task<string> WarmAsync(string baseUrl, string accessLog, StepLog log, CancellationToken ct)
    {
        var paths = RecentGets(accessLog, MaxRequests);
        if (paths.Count == 0)
            return "no recent requests to warm the candidate with";
        var started = time.GetTimestamp();
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(ct);
        bounded.CancelAfter(MaxTime);
        var next = -1;
        var sent = 0;
        var workers = Enumerable.Range(0, Parallel).Select(async _ =>
        {
            while (Interlocked.Increment(ref next) is var i && i < paths.Count && !bounded.IsCancellationRequested)
            {
                try
                {
                    using var request = new HttpRequestMessage(HttpMethod.Get, baseUrl.TrimEnd('/') + paths[i]);
                    request.Headers.UserAgent.ParseAdd("crossfade-warmup/1");
                    using var response = await Http.SendAsync(request, bounded.Token);
                    await response.Content.LoadIntoBufferAsync(bounded.Token);
                    Interlocked.Increment(ref sent);
                }
                catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException)
                {
                    // A warm-up request that fails warms nothing more; the health check said the candidate serves.
                }
            }
        });
        await Task.WhenAll(workers);
        var summary = $"warmed the candidate with {sent} of the host's recent GET requests in {time.GetElapsedTime(started).TotalMilliseconds:0} ms";
        log.Write(summary);
        return summary;
    }

    /// <summary>The paths of the most recent successful GETs in the access log's tail, newest last; none when there is no log.</summary>
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
        // The first line of a tail read from the middle of the file is cut: it is skipped.
        foreach (var line in lines.Skip(from > 0 ? 1 : 0).Reverse())
        {
            if (paths.Count >= max)
                break;
            if (PathOf(line) is { } path)
                paths.Add(path);
        }
        paths.Reverse();
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
            return root.ValueKind == JsonValueKind.Object
                && root.TryGetProperty("method", out var m) && m.ValueKind == JsonValueKind.String && m.GetString() == "GET"
                && root.TryGetProperty("status", out var s) && s.ValueKind == JsonValueKind.Number && s.TryGetInt32(out var status) && status < 400
                && root.TryGetProperty("path", out var p) && p.ValueKind == JsonValueKind.String
                && p.GetString() is { } path && path.StartsWith('/') && !path.StartsWith("//", StringComparison.Ordinal)
                ? path
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
