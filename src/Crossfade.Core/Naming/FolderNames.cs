using System.Text.RegularExpressions;

namespace Crossfade.Core.Naming;

/// <summary>
/// The rules for every name that becomes a folder name, on the server or on a host: app, environment
/// and host names, and release versions. Each is checked once, where it enters (the spec, the
/// enrollment, the push), and again by the agent before it builds a path from it.
/// </summary>
public static partial class FolderNames
{
    /// <summary>The rule for app, environment and host names, as an error message states it.</summary>
    public const string NameRule = "lowercase letters, digits and '-', starting with a letter, at most 40 characters";

    /// <summary>The rule for release versions, as an error message states it.</summary>
    public const string VersionRule =
        "a version is a name, not a path: letters, digits, '.', '-', '_' and '+', at most 64 characters, not starting with '.' or '-'";

    /// <summary>Whether <paramref name="name"/> is a valid app, environment or host name.</summary>
    public static bool IsName(string? name) => name is not null && NamePattern().IsMatch(name);

    /// <summary>Whether <paramref name="version"/> is a valid release version (so never <c>.</c> or <c>..</c>).</summary>
    public static bool IsVersion(string? version) => version is not null && VersionPattern().IsMatch(version);

    [GeneratedRegex(@"^[a-z][a-z0-9-]{0,39}\z")]
    private static partial Regex NamePattern();

    // \z, not $: '$' would also match before a final newline.
    [GeneratedRegex(@"^[A-Za-z0-9_+][A-Za-z0-9._+-]{0,63}\z")]
    private static partial Regex VersionPattern();
}
