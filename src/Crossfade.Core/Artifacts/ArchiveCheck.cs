using System.Formats.Tar;
using System.IO.Compression;

namespace Crossfade.Core.Artifacts;

/// <summary>
/// Reads a release archive (tar, gzip-compressed) and refuses it if any entry could land outside the
/// folder it is unpacked into: absolute paths, <c>..</c> segments, links pointing out, devices.
/// </summary>
public static class ArchiveCheck
{
    /// <summary>Returns every problem found; an empty list means the archive is safe to unpack.</summary>
    public static IReadOnlyList<string> Inspect(Stream gzipTar)
    {
        var problems = new List<string>();
        try
        {
            using var gzip = new GZipStream(gzipTar, CompressionMode.Decompress, leaveOpen: true);
            using var reader = new TarReader(gzip, leaveOpen: true);
            var count = 0;
            while (reader.GetNextEntry(copyData: false) is { } entry)
            {
                count++;
                var problem = Problem(entry);
                if (problem is not null)
                    problems.Add($"entry '{entry.Name}': {problem}");
            }
            if (count == 0)
                problems.Add("the archive is empty");
        }
        catch (Exception ex) when (ex is InvalidDataException or FormatException or EndOfStreamException or IOException)
        {
            problems.Add($"not a valid gzip-compressed tar archive: {ex.Message}");
        }
        return problems;
    }

    internal static string? Problem(TarEntry entry)
    {
        var name = entry.Name.Replace('\\', '/');
        if (name.Length == 0)
            return "has an empty name";
        if (name.StartsWith('/') || (name.Length > 1 && name[1] == ':'))
            return "is an absolute path";
        if (Escapes(name))
            return "escapes the release folder";
        switch (entry.EntryType)
        {
            case TarEntryType.Directory or TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile:
                return null;
            case TarEntryType.SymbolicLink:
                var target = entry.LinkName.Replace('\\', '/');
                if (target.StartsWith('/'))
                    return $"is a link to the absolute path '{target}'";
                var parent = name.Contains('/') ? name[..name.LastIndexOf('/')] : "";
                return Escapes(parent.Length == 0 ? target : parent + "/" + target) ? $"is a link out of the release folder ('{target}')" : null;
            case TarEntryType.HardLink:
                return Escapes(entry.LinkName.Replace('\\', '/')) || entry.LinkName.StartsWith('/') ? $"is a hard link out of the release folder ('{entry.LinkName}')" : null;
            case TarEntryType.GlobalExtendedAttributes or TarEntryType.ExtendedAttributes:
                return null;
            default:
                return $"has the type {entry.EntryType}, which a release may not hold";
        }
    }

    /// <summary>Whether a relative path climbs above its root at any point.</summary>
    internal static bool Escapes(string relative)
    {
        var depth = 0;
        foreach (var part in relative.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (part == "..")
                depth--;
            else if (part != ".")
                depth++;
            if (depth < 0)
                return true;
        }
        return false;
    }
}
