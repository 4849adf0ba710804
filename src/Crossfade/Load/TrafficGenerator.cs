using System.Diagnostics;
using System.Net.Http.Json;

namespace Crossfade.Load;

/// <summary>
/// A bounded shopper load over keep-alive connections: browse, look at a listing, make offers, check
/// out. It stops by itself after its time or request budget, whichever comes first, and only ever
/// targets the loopback URLs it is given.
/// </summary>
public sealed class TrafficGenerator(IReadOnlyList<Uri> targets, int connections, TimeSpan maxDuration, long maxRequests, bool writes = true)
{
    private readonly List<Sample>[] _samples = Enumerable.Range(0, connections).Select(_ => new List<Sample>(4096)).ToArray();
    // One string per release name, however many samples name it.
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> Releases = new(StringComparer.Ordinal);
    private long _issued;
    private volatile bool _finishing;

    /// <summary>Issues no new request; those in flight finish and are counted (unlike cancelling, which abandons them).</summary>
    public void Finish() => _finishing = true;

    public IReadOnlyList<Sample> Samples => _samples.SelectMany(s => s).OrderBy(s => s.StartTicks).ToList();

    public async Task RunAsync(CancellationToken stop)
    {
        foreach (var target in targets)
            if (!target.IsLoopback)
                throw new ArgumentException($"the load generator only targets loopback, not {target}");
        // Each connection is one shopper: its own keep-alive connection and its own cookies, so a judged
        // split keeps each shopper on one side, as it keeps a browser.
        var clients = Enumerable.Range(0, connections).Select(i => new HttpClient(new SocketsHttpHandler
        {
            UseProxy = false,
            MaxConnectionsPerServer = 1,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
        })
        { BaseAddress = targets[i % targets.Count], Timeout = TimeSpan.FromSeconds(10) }).ToArray();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stop);
        timeout.CancelAfter(maxDuration);
        var workers = Enumerable.Range(0, connections).Select(i => WorkAsync(clients[i], _samples[i], i, timeout.Token));
        await Task.WhenAll(workers);
        foreach (var client in clients)
            client.Dispose();
    }

    private async Task WorkAsync(HttpClient client, List<Sample> samples, int worker, CancellationToken ct)
    {
        var random = new Random(worker);
        while (!ct.IsCancellationRequested && !_finishing && Interlocked.Increment(ref _issued) <= maxRequests)
        {
            var started = Stopwatch.GetTimestamp();
            short status = 0;
            var failed = false;
            string? release = null;
            try
            {
                using var response = await SendAsync(client, random, worker, ct);
                await response.Content.LoadIntoBufferAsync(ct);
                status = (short)response.StatusCode;
                failed = status >= 500;
                release = response.Headers.TryGetValues("X-App-Version", out var versions) ? Releases.GetOrAdd(versions.First(), v => v) : null;
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or IOException)
            {
                failed = true;
            }
            samples.Add(new Sample(started, (float)Stopwatch.GetElapsedTime(started).TotalMilliseconds, status, failed, release));
        }
    }

    private Task<HttpResponseMessage> SendAsync(HttpClient client, Random random, int worker, CancellationToken ct)
    {
        var roll = writes ? random.Next(100) : random.Next(80);
        var listing = random.Next(1, 7);
        return roll switch
        {
            < 60 => client.GetAsync("/listings", ct),
            < 70 => client.GetAsync($"/listings/{listing}", ct),
            < 80 => client.GetAsync("/", ct),
            < 90 => client.PostAsJsonAsync("/offers", new { listingId = listing, buyer = $"buyer-{worker}", amountCents = 1000 + random.Next(5000) }, ct),
            _ => client.PostAsJsonAsync("/checkout", new { listingId = listing, buyer = $"buyer-{worker}" }, ct),
        };
    }
}
