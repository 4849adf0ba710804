using System.Text.RegularExpressions;

namespace Crossfade.Core.Telemetry;

/// <summary>
/// Turns a request path into its route: the query dropped, and segments that are ids (numbers, GUIDs,
/// long hex or tokens with digits) replaced by <c>{id}</c>, so <c>/orders/1234</c> and
/// <c>/orders/98</c> count as one route <c>/orders/{id}</c>.
/// </summary>
public static partial class RouteTemplate
{
    public static string Of(string path)
    {
        var cut = path.IndexOfAny(['?', '#']);
        if (cut >= 0)
            path = path[..cut];
        if (path.Length == 0)
            return "/";
        var segments = path.Split('/');
        for (var i = 0; i < segments.Length; i++)
            if (segments[i].Length > 0 && IdPattern().IsMatch(segments[i]))
                segments[i] = "{id}";
        var route = string.Join('/', segments);
        return route.Length > 200 ? route[..200] : route;
    }

    // Digits; a GUID; 8+ hex digits; or a 16+ character token that mixes letters and digits.
    [GeneratedRegex(@"^(\d+|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|[0-9a-fA-F]{8,}|(?=[A-Za-z_-]*\d)[A-Za-z0-9_-]{16,})$")]
    private static partial Regex IdPattern();
}
