using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Crossfade.Core.Versioning;

namespace Crossfade.Server.Binaries;

/// <summary>A single-file <c>crossfade</c> the server hands to hosts: its platform, version, size and SHA-256.</summary>
public sealed record AgentBinary(string Rid, string? Version, long Size, string Sha256, string Path);

/// <summary>
/// The single-file binaries hosts download (to be installed, or to upgrade their agent): those in the binaries
/// folder (<c>&lt;data&gt;/binaries/&lt;rid&gt;/crossfade</c>, as <c>./build.sh</c> lays out <c>artifacts/dist</c>), and
/// the server's own file when it is one. Hashes are computed once per file version.
/// </summary>
public sealed partial class AgentBinaries(ServerOptions options)
{
    public const string FileName = "crossfade";
    private readonly ConcurrentDictionary<(string, DateTime, long), string> _hashes = new();

    public static bool IsRid(string rid) => RidPattern().IsMatch(rid);

    public IReadOnlyList<AgentBinary> List()
    {
        var found = new Dictionary<string, AgentBinary>(StringComparer.Ordinal);
        // Whole: a relative path handed to the file result would be read from the web root instead.
        var folder = System.IO.Path.GetFullPath(options.BinariesDir ?? System.IO.Path.Combine(options.DataDir, "binaries"));
        if (Directory.Exists(folder))
        {
            foreach (var dir in Directory.EnumerateDirectories(folder).Where(d => IsRid(System.IO.Path.GetFileName(d))))
            {
                var file = System.IO.Path.Combine(dir, FileName);
                if (File.Exists(file) && Describe(System.IO.Path.GetFileName(dir), file, VersionBeside(file)) is { } binary)
                    found[binary.Rid] = binary;
            }
        }
        // The server's own executable, when it is the single file: hosts of its platform get exactly what it runs.
        if (Environment.ProcessPath is { } self && System.IO.Path.GetFileName(self) == FileName && File.Exists(self)
            && !found.ContainsKey(RuntimeInformation.RuntimeIdentifier) && Describe(RuntimeInformation.RuntimeIdentifier, self, ProductVersion.Current.Full) is { } own)
            found[own.Rid] = own;
        return found.Values.OrderBy(b => b.Rid, StringComparer.Ordinal).ToList();
    }

    public AgentBinary? Find(string rid) => IsRid(rid) ? List().FirstOrDefault(b => b.Rid == rid) : null;

    private AgentBinary? Describe(string rid, string path, string? version)
    {
        var info = new FileInfo(path);
        if (!info.Exists)
            return null;
        var sha = _hashes.GetOrAdd((path, info.LastWriteTimeUtc, info.Length), _ =>
        {
            using var stream = File.OpenRead(path);
            return Convert.ToHexStringLower(SHA256.HashData(stream));
        });
        return new AgentBinary(rid, version, info.Length, sha, path);
    }

    /// <summary>The version <c>./build.sh</c> wrote beside the file (<c>crossfade.version</c>), when it did.</summary>
    private static string? VersionBeside(string file) =>
        File.Exists(file + ".version") && File.ReadAllText(file + ".version").Trim() is { Length: > 0 and <= 100 } text ? text : null;

    [GeneratedRegex("^linux(-musl)?-(x64|arm64|arm)$")]
    private static partial Regex RidPattern();
}
