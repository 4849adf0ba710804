using System.Globalization;

namespace Crossfade.Core.Deploys;

/// <summary>How many web hosts switch first: a count ("1") or a share ("25%"), and how long they hold.</summary>
public sealed record CanarySpec(int? Count, int? Percent, int? HoldSeconds)
{
    /// <summary>Reads "--canary 2" or "--canary 25%"; null and an error when it is neither.</summary>
    public static (CanarySpec? Spec, string? Error) Parse(string? text, int? holdSeconds)
    {
        if (string.IsNullOrWhiteSpace(text))
            return (null, null);
        if (holdSeconds is < 0)
            return (null, "the canary hold must be 0 seconds or more");
        var value = text.Trim();
        if (value.EndsWith('%') && int.TryParse(value[..^1], NumberStyles.None, CultureInfo.InvariantCulture, out var percent) && percent is > 0 and < 100)
            return (new CanarySpec(null, percent, holdSeconds), null);
        if (int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var count) && count > 0)
            return (new CanarySpec(count, null, holdSeconds), null);
        return (null, $"'{text}' is not a canary size: give a number of hosts (1) or a percentage (25%)");
    }

    /// <summary>How many of <paramref name="webHosts"/> are canaries: at least one, never all.</summary>
    public int HostsOf(int webHosts) =>
        Count ?? Math.Max(1, (int)Math.Ceiling(webHosts * Percent!.Value / 100.0));

    public override string ToString() => Count is { } c ? c.ToString(CultureInfo.InvariantCulture) : $"{Percent}%";
}
