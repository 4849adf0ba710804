using System.Formats.Tar;
using System.IO.Compression;
using System.Text;

namespace Crossfade.Server.Config;

/// <summary>Reads named text files out of a stored release artifact (a .tar.gz), without unpacking it.</summary>
public static class ReleaseFiles
{
    public const int MaxFileBytes = 1024 * 1024;

    /// <returns>each wanted path found, with its text; paths not in the archive, or too large, are absent from <c>Texts</c>.</returns>
    public static async Task<(Dictionary<string, string> Texts, List<string> TooLarge)> ReadAsync(string artifactPath, IReadOnlyCollection<string> wanted, CancellationToken ct)
    {
        var found = new Dictionary<string, string>(StringComparer.Ordinal);
        var tooLarge = new List<string>();
        var want = wanted.ToHashSet(StringComparer.Ordinal);
        await using var file = File.OpenRead(artifactPath);
        await using var gzip = new GZipStream(file, CompressionMode.Decompress);
        await using var tar = new TarReader(gzip);
        while (found.Count < want.Count && await tar.GetNextEntryAsync(copyData: false, ct) is { } entry)
        {
            var name = entry.Name.StartsWith("./", StringComparison.Ordinal) ? entry.Name[2..] : entry.Name;
            if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile) || !want.Contains(name) || entry.DataStream is null)
                continue;
            if (entry.Length > MaxFileBytes)
            {
                tooLarge.Add(name);
                want.Remove(name);
                continue;
            }
            using var reader = new StreamReader(entry.DataStream, new UTF8Encoding(false));
            found[name] = await reader.ReadToEndAsync(ct);
        }
        return (found, tooLarge);
    }
}
