using System.Globalization;
using System.Reflection;

namespace Crossfade.Core.Versioning;

/// <summary>
/// This build of Crossfade: its version, the commit it was built from and when (a release build made by
/// <c>./build.sh</c> carries the date; a developer's build says when its file was written).
/// </summary>
public sealed record ProductVersion(string Version, string? Commit, DateTimeOffset? BuiltAt)
{
    public static ProductVersion Current { get; } = Read(typeof(ProductVersion).Assembly);

    /// <summary>Version, short commit and date in one line: <c>0.9.0 (3f2a9c1e, built 2026-12-04)</c>.</summary>
    public override string ToString() =>
        Version + (Commit is null && BuiltAt is null ? ""
            : $" ({string.Join(", ", new[] { Commit?[..Math.Min(8, Commit.Length)], BuiltAt is { } at ? $"built {at:yyyy-MM-dd HH:mm}Z" : null }.OfType<string>())})");

    /// <summary>The version and commit as an agent reports them (<c>0.9.0+sha</c>).</summary>
    public string Full => Commit is null ? Version : $"{Version}+{Commit}";

    public static ProductVersion Read(Assembly assembly)
    {
        var informational = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";
        var plus = informational.IndexOf('+');
        var (version, commit) = plus < 0 ? (informational, null) : (informational[..plus], informational[(plus + 1)..]);
        var date = assembly.GetCustomAttributes<AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == "CrossfadeBuildDate")?.Value;
        DateTimeOffset? built = DateTimeOffset.TryParse(date, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) ? at : WrittenAt(assembly);
        return new ProductVersion(version, commit, built);
    }

    /// <summary>
    /// Whether <paramref name="other"/> (as <see cref="Full"/> writes it) is an older version than this one:
    /// compared by version number only, so builds of one version from two commits are equals.
    /// </summary>
    public bool IsNewerThan(string? other) =>
        System.Version.TryParse(Version, out var mine) && (other is null || !System.Version.TryParse(other.Split('+')[0], out var theirs) || theirs < mine);

    private static DateTimeOffset? WrittenAt(Assembly assembly) =>
        Path.Combine(AppContext.BaseDirectory, assembly.GetName().Name + ".dll") is var path && File.Exists(path) ? File.GetLastWriteTimeUtc(path) : null;
}
