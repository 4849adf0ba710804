using System.Globalization;

namespace Crossfade.Agent.Converge;

/// <summary>Octal modes as people write them ("0644") and as .NET sets them.</summary>
public static class FileModes
{
    public static UnixFileMode Parse(string octal) => (UnixFileMode)Convert.ToInt32(octal, 8);

    public static string Format(UnixFileMode mode) => "0" + Convert.ToString((int)mode & 0xFFF, 8).PadLeft(3, '0');

    /// <summary>"0600 -> 0640", or null when the mode is as wanted (or no mode was asked for).</summary>
    public static string? Change(string fullPath, string? wanted)
    {
        if (wanted is null)
            return null;
        var want = Parse(wanted);
        var now = File.GetUnixFileMode(fullPath);
        return now == want ? null : string.Create(CultureInfo.InvariantCulture, $"mode {Format(now)} -> {Format(want)}");
    }
}
