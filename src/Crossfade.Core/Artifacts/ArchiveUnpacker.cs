using System.Formats.Tar;
using System.IO.Compression;

namespace Crossfade.Core.Artifacts;

/// <summary>
/// Unpacks a checked release archive into a folder, all or nothing: entries go to a temporary sibling
/// folder that is renamed into place only when every entry was written.
/// </summary>
public static class ArchiveUnpacker
{
    /// <summary>Unpacks <paramref name="archivePath"/> into <paramref name="destination"/>, which must not exist.</summary>
    /// <returns>null on success, otherwise why nothing was unpacked.</returns>
    public static string? Unpack(string archivePath, string destination)
    {
        using (var check = File.OpenRead(archivePath))
        {
            var problems = ArchiveCheck.Inspect(check);
            if (problems.Count > 0)
                return "refused the archive: " + string.Join("; ", problems.Take(5));
        }
        var staging = destination + ".unpacking-" + Guid.NewGuid().ToString("N")[..8];
        Directory.CreateDirectory(staging);
        try
        {
            using var file = File.OpenRead(archivePath);
            using var gzip = new GZipStream(file, CompressionMode.Decompress);
            using var reader = new TarReader(gzip);
            var root = Path.GetFullPath(staging) + Path.DirectorySeparatorChar;
            while (reader.GetNextEntry() is { } entry)
                Write(entry, root);
            Directory.Move(staging, destination);
            return null;
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            Directory.Delete(staging, recursive: true);
            return $"could not unpack: {ex.Message}";
        }
    }

    private static void Write(TarEntry entry, string root)
    {
        var target = Path.GetFullPath(Path.Combine(root, entry.Name));
        // Checked already; this guards against a path the checker and the OS read differently.
        if (!target.StartsWith(root, StringComparison.Ordinal) && target + Path.DirectorySeparatorChar != root)
            throw new IOException($"entry '{entry.Name}' resolves outside the release folder");
        switch (entry.EntryType)
        {
            case TarEntryType.Directory:
                Directory.CreateDirectory(target);
                break;
            case TarEntryType.SymbolicLink:
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                File.CreateSymbolicLink(target, entry.LinkName);
                break;
            case TarEntryType.HardLink:
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                File.Copy(Path.GetFullPath(Path.Combine(root, entry.LinkName)), target);
                break;
            case TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile:
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                entry.ExtractToFile(target, overwrite: false);
                break;
        }
    }
}
