using System.Globalization;

namespace Crossfade.Core.Telemetry;

/// <summary>
/// Request durations counted in fixed, roughly logarithmic buckets: small enough to keep per minute,
/// route, release and host for a year, and mergeable, so percentiles can be read over any range.
/// </summary>
public sealed class LatencyHistogram
{
    /// <summary>Upper bounds in milliseconds; the last bucket holds everything slower.</summary>
    public static readonly double[] Bounds = [0.5, 1, 2, 3, 5, 8, 13, 20, 30, 50, 80, 130, 200, 300, 500, 800, 1300, 2000, 3000, 5000, 8000, 13000, 20000, 30000];

    private readonly long[] _counts = new long[Bounds.Length + 1];

    public long Count => _counts.Sum();

    public void Add(double ms)
    {
        var i = Array.BinarySearch(Bounds, ms);
        _counts[i >= 0 ? i : ~i]++;
    }

    public void Merge(LatencyHistogram other)
    {
        for (var i = 0; i < _counts.Length; i++)
            _counts[i] += other._counts[i];
    }

    /// <summary>The duration below which a share <paramref name="q"/> (0..1) of the requests fall, interpolated within its bucket.</summary>
    public double Percentile(double q)
    {
        var total = Count;
        if (total == 0)
            return 0;
        var rank = q * total;
        long seen = 0;
        for (var i = 0; i < _counts.Length; i++)
        {
            if (_counts[i] == 0 || seen + _counts[i] < rank)
            {
                seen += _counts[i];
                continue;
            }
            var low = i == 0 ? 0 : Bounds[i - 1];
            var high = i < Bounds.Length ? Bounds[i] : Bounds[^1] * 2;
            return low + (high - low) * ((rank - seen) / _counts[i]);
        }
        return Bounds[^1];
    }

    public string Serialize() => string.Join(',', _counts.Select(c => c.ToString(CultureInfo.InvariantCulture)));

    public static LatencyHistogram Parse(string text)
    {
        var h = new LatencyHistogram();
        var parts = text.Split(',');
        for (var i = 0; i < Math.Min(parts.Length, h._counts.Length); i++)
            h._counts[i] = long.TryParse(parts[i], CultureInfo.InvariantCulture, out var c) ? c : 0;
        return h;
    }
}
