using System.Text;
using System.Text.RegularExpressions;
using Crossfade.Core.Naming;
using Crossfade.Core.Specs;

namespace Crossfade.Core.Builds;

/// <summary>
/// What a pushed ref means: a branch or a tag (or neither), the environment the spec maps it to, and
/// the version its build is released as — the tag's name, or <c>branch-shortsha</c>.
/// </summary>
public static partial class GitRefs
{
    public const string BranchPrefix = "refs/heads/";
    public const string TagPrefix = "refs/tags/";

    /// <summary>
    /// Whether a ref name is safe to hand to git: git's own rules (no '..', no control characters or
    /// spaces, nothing starting with '-' or '/', no '@{' and so on), at most 200 characters.
    /// </summary>
    public static bool IsSafe(string? name) =>
        name is { Length: > 0 and <= 200 } && !name.StartsWith('-') && !name.StartsWith('/') && !name.EndsWith('/') && !name.EndsWith(".lock", StringComparison.Ordinal)
        && !name.Contains("..", StringComparison.Ordinal) && !name.Contains("@{", StringComparison.Ordinal) && !name.Contains("//", StringComparison.Ordinal)
        && !name.Any(c => char.IsControl(c) || c is ' ' or '~' or '^' or ':' or '?' or '*' or '[' or '\\');

    /// <summary>Whether <paramref name="sha"/> is a full commit id (40 lower-case hex digits).</summary>
    public static bool IsSha(string? sha) => sha is not null && ShaPattern().IsMatch(sha);

    /// <summary>The environment a pushed ref deploys to, or null (a branch or tag the spec does not map).</summary>
    public static string? EnvironmentFor(TriggersSpec triggers, string fullRef)
    {
        if (fullRef.StartsWith(BranchPrefix, StringComparison.Ordinal))
            return First(triggers.Branches, fullRef[BranchPrefix.Length..]);
        if (fullRef.StartsWith(TagPrefix, StringComparison.Ordinal))
            return First(triggers.Tags, fullRef[TagPrefix.Length..]);
        return null;
    }

    /// <summary>The release version of a build: the tag's name when it is a valid version, else the branch (or tag) and the commit's first 7 digits.</summary>
    public static string VersionFor(string fullRef, string sha)
    {
        var tag = fullRef.StartsWith(TagPrefix, StringComparison.Ordinal) ? fullRef[TagPrefix.Length..] : null;
        if (FolderNames.IsVersion(tag))
            return tag!;
        var name = tag ?? (fullRef.StartsWith(BranchPrefix, StringComparison.Ordinal) ? fullRef[BranchPrefix.Length..] : fullRef);
        var cleaned = new StringBuilder();
        foreach (var c in name)
            cleaned.Append(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '+' or '-' ? c : '-');
        var stem = cleaned.ToString().TrimStart('.', '-');
        stem = stem.Length == 0 ? "build" : stem[..Math.Min(stem.Length, 55)];
        return $"{stem}-{sha[..7]}";
    }

    /// <summary>Whether a branch or tag name matches a pattern: '*' any run but '/', '**' any run at all.</summary>
    public static bool Matches(string pattern, string name)
    {
        var regex = "^" + Regex.Escape(pattern).Replace(@"\*\*", "\u0001", StringComparison.Ordinal).Replace(@"\*", "[^/]*", StringComparison.Ordinal)
            .Replace("\u0001", ".*", StringComparison.Ordinal) + @"\z";
        return Regex.IsMatch(name, regex, RegexOptions.None, TimeSpan.FromMilliseconds(50));
    }

    private static string? First(IReadOnlyList<(string Pattern, string Environment)> rules, string name) =>
        rules.FirstOrDefault(r => Matches(r.Pattern, name)).Environment;

    [GeneratedRegex("^[0-9a-f]{40}\\z")]
    private static partial Regex ShaPattern();
}
