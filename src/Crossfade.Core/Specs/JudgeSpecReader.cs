using Crossfade.Core.Judging;
using YamlDotNet.RepresentationModel;

namespace Crossfade.Core.Specs;

/// <summary>Reads the spec's <c>judge:</c>, every threshold optional, every error named with its place.</summary>
internal static class JudgeSpecReader
{
    private const string Prefix = "judge.";

    private static readonly string[] Keys =
    [
        "mode", "weight_percent", "min_seconds", "max_seconds", "on_insufficient", "warmup_seconds", "new_error_min", "count_4xx",
        "min_requests", "significance", "error_increase_percent", "latency_shift_percent", "latency_shift_ms", "max_error_rate_percent", "max_p95_ms",
    ];

    /// <summary>The spec's <c>judge:</c>, or null when it has none (then no deploy of the app opens a judged window).</summary>
    public static JudgeSpec? Read(SpecNodeReader reader, YamlMappingNode root)
    {
        var node = reader.OptionalMapping(root, "judge");
        if (node is null)
            return null;
        reader.RejectUnknownKeys(node, Keys, Prefix);
        var defaults = JudgeSpec.Default;
        var mode = Choice(reader, node, "mode", defaults.Mode);
        var onInsufficient = Choice(reader, node, "on_insufficient", defaults.OnInsufficient);
        var minSeconds = reader.OptionalInt(node, "min_seconds", defaults.MinSeconds, 5, 3600, Prefix);
        var maxSeconds = reader.OptionalInt(node, "max_seconds", defaults.MaxSeconds, 10, 86400, Prefix);
        if (maxSeconds < minSeconds)
            reader.ErrorAt(node, "max_seconds", $"must be at least min_seconds ({minSeconds}), not {maxSeconds}", Prefix);
        var count4xx = Choice(reader, node, "count_4xx", Flag.False) == Flag.True;
        var thresholds = new JudgeThresholds(
            Alpha: reader.OptionalDouble(node, "significance", defaults.Thresholds.Alpha, 1e-9, 0.1, Prefix),
            ErrorIncrease: reader.OptionalDouble(node, "error_increase_percent", defaults.Thresholds.ErrorIncrease * 100, 0.01, 100, Prefix) / 100,
            LatencyShift: reader.OptionalDouble(node, "latency_shift_percent", defaults.Thresholds.LatencyShift * 100, 1, 1000, Prefix) / 100,
            LatencyShiftMs: reader.OptionalDouble(node, "latency_shift_ms", defaults.Thresholds.LatencyShiftMs, 0, 60_000, Prefix),
            MinRequests: reader.OptionalInt(node, "min_requests", defaults.Thresholds.MinRequests, 10, 1_000_000, Prefix));
        var maxErrorRate = node.Children.ContainsKey(new YamlScalarNode("max_error_rate_percent"))
            ? reader.OptionalDouble(node, "max_error_rate_percent", 100, 0.01, 100, Prefix) / 100 : (double?)null;
        var maxP95 = node.Children.ContainsKey(new YamlScalarNode("max_p95_ms"))
            ? reader.OptionalInt(node, "max_p95_ms", 0, 1, 600_000, Prefix) : (int?)null;
        return new JudgeSpec(
            mode,
            reader.OptionalInt(node, "weight_percent", defaults.WeightPercent, 1, 50, Prefix),
            minSeconds,
            maxSeconds,
            onInsufficient,
            reader.OptionalInt(node, "warmup_seconds", defaults.WarmupSeconds, 0, 600, Prefix),
            reader.OptionalInt(node, "new_error_min", defaults.NewErrorMin, 1, 10_000, Prefix),
            count4xx,
            thresholds,
            maxErrorRate,
            maxP95);
    }

    private enum Flag
    {
        False,
        True,
    }

    /// <summary>One of an enum's names in lower case (observe, enforce; hold, promote, abort; true, false).</summary>
    private static T Choice<T>(SpecNodeReader reader, YamlMappingNode node, string key, T fallback) where T : struct, Enum
    {
        if (reader.OptionalString(node, key, Prefix) is not { } text)
            return fallback;
        if (Contracts.V1.WireNames.TryParse<T>(text, out var value))
            return value;
        reader.ErrorAt(node, key, $"must be one of {string.Join(", ", Enum.GetNames<T>().Select(n => n.ToLowerInvariant()))}, not '{text}'", Prefix);
        return fallback;
    }
}
