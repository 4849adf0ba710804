using System.Formats.Tar;
using System.IO.Compression;
using Crossfade.Core.Streams;

namespace Crossfade.Core.Artifacts;

/// <summary>
/// Reads a release archive (tar, gzip-compressed) once, entry by entry, holding each to the rules of
/// <see cref="ReleaseTree"/> and the bounds of <see cref="ArchiveLimits"/> before it reaches the sink.
/// </summary>
internal static class ArchiveWalk
{
    /// <summary>
    /// Walks the archive; returns every problem found (at most <paramref name="maxProblems"/>), or none
    /// when every entry reached the sink and every link resolves inside the folder.
    /// </summary>
    public static List<string> Run(Stream gzipTar, ArchiveLimits limits, IArchiveSink sink, int maxProblems)
    {
        var problems = new List<string>();
        var tree = new ReleaseTree(limits);
        var sizes = new Dictionary<string, long>(StringComparer.Ordinal);
        long total = 0;
        var count = 0;
        try
        {
            using var gzip = new GZipStream(gzipTar, CompressionMode.Decompress, leaveOpen: true);
            using var bounded = new LimitedStream(gzip, limits.MaxStreamBytes,
                () => new ArchiveRefusedException($"the archive unpacks to more than {limits.MaxStreamBytes} bytes"));
            using var guarded = new TarMetadataGuard(bounded, limits.MaxMetadataBytes);
            using var reader = new TarReader(guarded, leaveOpen: true);
            while (problems.Count < maxProblems && reader.GetNextEntry(copyData: false) is { } entry)
            {
                if (entry.EntryType is TarEntryType.GlobalExtendedAttributes or TarEntryType.ExtendedAttributes)
                    continue;
                if (++count > limits.MaxEntries)
                    throw new ArchiveRefusedException($"the archive holds more than {limits.MaxEntries} entries");
                var (path, problem) = EntryPath.Parse(entry.Name, limits);
                problem ??= Accept(entry, path!, tree, sizes, ref total, limits, sink);
                if (problem is not null)
                    problems.Add($"entry '{Printable(entry.Name)}': {problem}");
            }
            if (count == 0)
                problems.Add("the archive is empty");
            if (problems.Count == 0)
                problems.AddRange(tree.FinalProblems().Take(maxProblems));
        }
        catch (ArchiveRefusedException ex)
        {
            problems.Add(ex.Message);
        }
        catch (Exception ex) when (ex is InvalidDataException or FormatException or EndOfStreamException or ArgumentException or InvalidOperationException)
        {
            problems.Add($"not a valid gzip-compressed tar archive: {ex.Message}");
        }
        return problems;
    }

    private static string? Accept(
        TarEntry entry, string[] path, ReleaseTree tree, Dictionary<string, long> sizes, ref long total, ArchiveLimits limits, IArchiveSink sink)
    {
        switch (entry.EntryType)
        {
            case TarEntryType.Directory:
                if (tree.AddDirectory(path) is { } dir)
                    return dir;
                sink.Directory(path);
                return null;
            case TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile:
                if (tree.AddFile(path) is { } file)
                    return file;
                Grow(ref total, entry.Length, limits);
                sizes[EntryPath.Join(path)] = entry.Length;
                sink.File(path, entry);
                return null;
            case TarEntryType.SymbolicLink:
                if (tree.AddLink(path, entry.LinkName) is { } link)
                    return link;
                sink.Link(path, entry.LinkName);
                return null;
            case TarEntryType.HardLink:
                var (target, targetProblem) = EntryPath.Parse(entry.LinkName, limits);
                if (targetProblem is not null)
                    return $"is a hard link whose target {targetProblem}";
                if (tree.AddHardLink(path, target!) is { } hard)
                    return hard;
                // Unpacked as a copy, so it counts again: a thousand links to one large file are a bomb.
                var size = sizes[EntryPath.Join(target!)];
                Grow(ref total, size, limits);
                sizes[EntryPath.Join(path)] = size;
                sink.HardLink(path, target!);
                return null;
            default:
                return $"has the type {entry.EntryType}, which a release may not hold (only files, folders and links)";
        }
    }

    private static void Grow(ref long total, long bytes, ArchiveLimits limits)
    {
        total += bytes;
        if (total > limits.MaxUnpackedBytes)
            throw new ArchiveRefusedException($"the release unpacks to more than {limits.MaxUnpackedBytes} bytes (the limit)");
    }

    /// <summary>An entry's name as an error message may show it: control characters escaped.</summary>
    private static string Printable(string name) =>
        string.Concat(name.Take(200).Select(c => char.IsControl(c) ? $"\\u{(int)c:x4}" : c.ToString()));
}
