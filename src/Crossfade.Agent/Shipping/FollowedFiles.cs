using Crossfade.Contracts.V1;

namespace Crossfade.Agent.Shipping;

/// <summary>A log file the agent follows for an app, with the name the server files its lines under.</summary>
public sealed record FollowedFile(string App, string Path, string Name, string Source);

/// <summary>
/// Which files an app's logs are: every <c>shared/log/*.log</c> (the proxy's <c>access.log</c> and
/// each instance's output), then the spec's <c>logs.files</c>, absolute or relative to the app's
/// folder on the host, with <c>*</c> and <c>?</c> in the file name. A file named twice is followed once.
/// </summary>
public static class FollowedFiles
{
    public const string AccessLog = "access.log";

    public static IEnumerable<FollowedFile> Of(string root, string app, IReadOnlyList<string>? configured)
    {
        var appDir = System.IO.Path.Combine(root, "apps", app);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var file in Matching(System.IO.Path.Combine(appDir, "shared", "log"), "*.log"))
            if (seen.Add(file))
            {
                var name = System.IO.Path.GetFileName(file);
                yield return new FollowedFile(app, file, name, name == AccessLog ? LineSources.Access : LineSources.App);
            }
        foreach (var pattern in configured ?? [])
        {
            var full = System.IO.Path.GetFullPath(pattern, appDir);
            foreach (var file in Matching(System.IO.Path.GetDirectoryName(full)!, System.IO.Path.GetFileName(full)))
                if (seen.Add(file))
                    yield return new FollowedFile(app, file, NameOf(appDir, file), LineSources.App);
        }
    }

    /// <summary>Inside the app's folder, the path from it (<c>shared/data/payments.log</c>); elsewhere the full path.</summary>
    private static string NameOf(string appDir, string file) =>
        file.StartsWith(appDir + "/", StringComparison.Ordinal) ? file[(appDir.Length + 1)..] : file;

    private static IEnumerable<string> Matching(string dir, string namePattern) =>
        Directory.Exists(dir)
            ? Directory.EnumerateFiles(dir, namePattern, new EnumerationOptions { MatchCasing = MatchCasing.CaseSensitive, IgnoreInaccessible = true })
                .Order(StringComparer.Ordinal)
            : [];
}
