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
        var perTarget = (int)Math.Ceiling(connections / (double)targets.Count);
        var clients = targets.Select(t => new HttpClient(new SocketsHttpHandler
        {
            UseProxy = false,
            MaxConnectionsPerServer = perTarget,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
        })
        { BaseAddress = t, Timeout = TimeSpan.FromSeconds(10) }).ToArray();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stop);
        timeout.CancelAfter(maxDuration);
        var workers = Enumerable.Range(0, connections).Select(i => WorkAsync(clients[i % clients.Length], _samples[i], i, timeout.Token));
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
            try
            {
                using var response = await SendAsync(client, random, worker, ct);
                await response.Content.LoadIntoBufferAsync(ct);
                status = (short)response.StatusCode;
                failed = status >= 500;
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or IOException)
            {
                failed = true;
            }
            samples.Add(new Sample(started, (float)Stopwatch.GetElapsedTime(started).TotalMilliseconds, status, failed));
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
