using System.Globalization;
using System.Text;
using System.Text.Json;
using Crossfade.Core.Telemetry;
using Crossfade.Server.Storage;

namespace Crossfade.Server.Dashboard.Views;

/// <summary>One bucket of a request graph: when it starts, requests per second, the 5xx share and the latency percentiles.</summary>
public sealed record ChartPoint(DateTimeOffset At, double PerSecond, double ErrorRate, double P50, double P95, double P99, long Requests, long Errors);

/// <summary>A deploy drawn on a graph: a band from its start to its end, with its outcome.</summary>
public sealed record DeployBand(long Id, DateTimeOffset Start, DateTimeOffset End, string Outcome, string Label);

/// <summary>Turns rollups into what a graph draws: points for uPlot, or a small SVG line drawn on the server.</summary>
public static class Charts
{
    public static ChartPoint Point(SeriesPoint p, int bucketMinutes)
    {
        var hist = LatencyHistogram.Parse(p.Hist);
        return new ChartPoint(DateTimeOffset.FromUnixTimeSeconds(p.Minute * 60), Math.Round(p.Requests / (bucketMinutes * 60.0), 3),
            p.Requests == 0 ? 0 : Math.Round(100.0 * p.Errors / p.Requests, 3),
            Math.Round(hist.Percentile(0.50), 1), Math.Round(hist.Percentile(0.95), 1), Math.Round(hist.Percentile(0.99), 1), p.Requests, p.Errors);
    }

    /// <summary>The points of one series with every empty bucket of the range present as zero traffic (a gap is news, not a line across it).</summary>
    public static IReadOnlyList<ChartPoint> Filled(IEnumerable<SeriesPoint> points, DateTimeOffset from, DateTimeOffset to, int bucketMinutes)
    {
        var byMinute = points.ToDictionary(p => p.Minute);
        var first = from.ToUnixTimeSeconds() / 60 / bucketMinutes * bucketMinutes;
        var last = to.ToUnixTimeSeconds() / 60;
        var filled = new List<ChartPoint>();
        for (var m = first; m <= last; m += bucketMinutes)
            filled.Add(byMinute.TryGetValue(m, out var p) ? Point(p, bucketMinutes) : new ChartPoint(DateTimeOffset.FromUnixTimeSeconds(m * 60), 0, 0, 0, 0, 0, 0, 0));
        return filled;
    }

    /// <summary>The JSON a graph element carries: columns for uPlot, and the deploy bands.</summary>
    public static string Json(IReadOnlyList<ChartPoint> points, IReadOnlyList<DeployBand> bands, DateTimeOffset from, DateTimeOffset to) =>
        JsonSerializer.Serialize(new
        {
            from = from.ToUnixTimeSeconds(),
            to = to.ToUnixTimeSeconds(),
            t = points.Select(p => p.At.ToUnixTimeSeconds()),
            rps = points.Select(p => p.PerSecond),
            err = points.Select(p => p.ErrorRate),
            p50 = points.Select(p => p.P50),
            p95 = points.Select(p => p.P95),
            p99 = points.Select(p => p.P99),
            bands = bands.Select(b => new { id = b.Id, s = b.Start.ToUnixTimeSeconds(), e = b.End.ToUnixTimeSeconds(), o = b.Outcome, l = b.Label }),
        });

    /// <summary>An SVG path of <paramref name="values"/> scaled into a <paramref name="width"/> × <paramref name="height"/> box.</summary>
    public static string SparkPath(IReadOnlyList<double> values, int width = 120, int height = 28)
    {
        if (values.Count == 0)
            return "";
        var max = values.Max();
        var path = new StringBuilder();
        for (var i = 0; i < values.Count; i++)
        {
            var x = values.Count == 1 ? 0 : i * (double)width / (values.Count - 1);
            var y = max <= 0 ? height - 1 : height - 1 - (values[i] / max * (height - 2));
            path.Append(i == 0 ? 'M' : 'L').Append(x.ToString("0.#", CultureInfo.InvariantCulture)).Append(',').Append(y.ToString("0.#", CultureInfo.InvariantCulture));
        }
        return path.ToString();
    }

    public static (double P50, double P95, double P99) Percentiles(IEnumerable<string> hists)
    {
        var merged = new LatencyHistogram();
        foreach (var h in hists)
            merged.Merge(LatencyHistogram.Parse(h));
        return (merged.Percentile(0.50), merged.Percentile(0.95), merged.Percentile(0.99));
    }
}

/// <summary>One small line of a card: its points, its name, its latest figure, its colour.</summary>
public sealed record SparkLine(IReadOnlyList<double> Values, string Label, string Now, string Colour);
