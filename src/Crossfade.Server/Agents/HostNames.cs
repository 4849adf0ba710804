using System.Text.RegularExpressions;

namespace Crossfade.Server.Agents;

/// <summary>The rule for host, app and environment names: DNS-label-like, lowercase.</summary>
public static partial class HostNames
{
    public static bool IsValid(string? name) => name is not null && Pattern().IsMatch(name);

    [GeneratedRegex("^[a-z][a-z0-9-]{0,39}$")]
    private static partial Regex Pattern();
}
