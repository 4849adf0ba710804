using Crossfade.Demo;

namespace Crossfade.Load;

/// <summary>What shoppers got answered through an outage, and what the server stored of it.</summary>
public sealed record OutageCount(int Requests, long Answered, long Stored);

/// <summary>
/// Shopper traffic on every web host of a local fleet, a few seconds before an outage (the server
/// killed, an agent's link cut), through it and a few seconds after; then the access records the
/// server stored for that window, once shipping has caught up. Every answered request must be stored
/// exactly once: the integration tests run it with short outages, <c>./bench/run shipping-outage</c>
/// with the long ones.
/// </summary>
public static class OutageTraffic
{
    public static async Task<OutageCount> MeasureAsync(LocalFleet fleet, string app, string environment, Func<Task> outage)
    {
        await Task.Delay(1000);
        var from = DateTimeOffset.UtcNow;
        var webs = fleet.Hosts.Where(h => h.Roles.Contains("web")).Select(h => new Uri($"http://127.0.0.1:{h.ProxyPort}")).ToList();
        var traffic = new TrafficGenerator(webs, 4, TimeSpan.FromMinutes(3), 400_000);
        using var stop = new CancellationTokenSource();
        var load = traffic.RunAsync(stop.Token);
        await Task.Delay(TimeSpan.FromSeconds(3));
        await outage();
        await Task.Delay(TimeSpan.FromSeconds(3));
        traffic.Finish();
        await load;
        await Task.Delay(500);
        var to = DateTimeOffset.UtcNow;
        var samples = traffic.Samples;
        var answered = samples.Count(s => s.Status > 0);
        return new OutageCount(samples.Count, answered, await StoredAsync(fleet, app, environment, from, to, answered));
    }

    /// <summary>The count of stored access records in the window, once it stops growing (or reaches what was answered).</summary>
    private static async Task<long> StoredAsync(LocalFleet fleet, string app, string environment, DateTimeOffset from, DateTimeOffset to, long answered)
    {
        for (var i = 0; i < 120; i++)
        {
            if (await fleet.Api.RequestCountAsync(app, environment, from, to, CancellationToken.None) >= answered)
                break;
            await Task.Delay(500);
        }
        // A little longer: a duplicate would show as more than answered.
        await Task.Delay(2000);
        return await fleet.Api.RequestCountAsync(app, environment, from, to, CancellationToken.None);
    }
}
