using System.Globalization;

namespace Crossfade.Server.Telemetry;

/// <summary>
/// How long access records take to reach the server (its receipt minus the request's time, as the
/// host's proxy wrote it), counted in buckets into the ingest counters: what the judge sees is only
/// as fresh as this. A record whose time is ahead of the server's (a host's clock) counts as no lag.
/// </summary>
public static class ShipLag
{
    public const string Prefix = "access_ship_lag_ms_le_";

    private static readonly int[] BoundsMs = [250, 500, 1000, 1500, 2000, 3000, 5000, 10000, 30000];

    private static readonly string[] Names = BoundsMs.Select(b => Prefix + b.ToString(CultureInfo.InvariantCulture)).Append(Prefix + "inf").ToArray();

    /// <summary>The counter a record of this lag adds one to.</summary>
    public static string CounterOf(TimeSpan lag)
    {
        var ms = lag.TotalMilliseconds;
        for (var i = 0; i < BoundsMs.Length; i++)
            if (ms <= BoundsMs[i])
                return Names[i];
        return Names[^1];
    }
}
