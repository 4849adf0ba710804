using System.Formats.Tar;
using System.IO.Compression;
using System.Text;

namespace Crossfade.Tests.Core.Artifacts;

/// <summary>
/// A folder with files around the place a release is unpacked to, so a test can prove that nothing
/// outside the release changed: <see cref="Outside"/> lists every path, type and content around it.
/// </summary>
internal sealed class ArchiveSandbox : IDisposable
{
    public string Root { get; } = Directory.CreateTempSubdirectory("cf-archive-").FullName;

    /// <summary>The watched world: the release goes to <c>app/releases/release</c> in it; archives are kept beside it.</summary>
    private string World => Path.Combine(Root, "world");

    public ArchiveSandbox()
    {
        File.WriteAllText(Path.Combine(Directory.CreateDirectory(World).FullName, "outside.txt"), "outside");
        Directory.CreateDirectory(Path.Combine(World, "app", "releases"));
        File.WriteAllText(Path.Combine(World, "app", "sibling.txt"), "sibling");
        File.WriteAllText(Path.Combine(World, "app", "releases", "x"), "x above the release");
    }

    /// <summary>Where the release is unpacked: <c>world/app/releases/release</c>.</summary>
    public string Target => Path.Combine(World, "app", "releases", "release");

    public void Dispose() => Directory.Delete(Root, recursive: true);

    /// <summary>Everything outside the release folder (and its staging folders), as "path type content" lines.</summary>
    public IReadOnlyList<string> Outside()
    {
        var lines = new List<string>();
        foreach (var entry in Walk(World))
        {
            var relative = Path.GetRelativePath(World, entry.FullName);
            if (relative.StartsWith(Path.Combine("app", "releases", "release"), StringComparison.Ordinal))
                continue;
            lines.Add(entry switch
            {
                _ when entry.LinkTarget is { } link => $"{relative} link {link}",
                DirectoryInfo => $"{relative} dir",
                _ => $"{relative} file {File.ReadAllText(entry.FullName)}",
            });
        }
        lines.Sort(StringComparer.Ordinal);
        return lines;
    }

    /// <summary>Every entry under <paramref name="folder"/>, never following a link (a link to '.' would loop).</summary>
    public static IEnumerable<FileSystemInfo> Walk(string folder)
    {
        foreach (var entry in new DirectoryInfo(folder).EnumerateFileSystemInfos("*", new EnumerationOptions { AttributesToSkip = 0 }))
        {
            yield return entry;
            if (entry is DirectoryInfo && entry.LinkTarget is null)
                foreach (var inner in Walk(entry.FullName))
                    yield return inner;
        }
    }

    /// <summary>Staging folders left behind (there must be none).</summary>
    public string[] Leftovers() => Directory.GetDirectories(Path.Combine(World, "app", "releases"));

    public string Archive(params TarEntry[] entries)
    {
        var path = Path.Combine(Root, Guid.NewGuid().ToString("N") + ".tar.gz");
        using var file = File.Create(path);
        using var gzip = new GZipStream(file, CompressionLevel.Fastest);
        using var writer = new TarWriter(gzip, TarEntryFormat.Pax);
        foreach (var entry in entries)
            writer.WriteEntry(entry);
        return path;
    }

    public static PaxTarEntry FileEntry(string name, string text = "x") =>
        new(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(Encoding.UTF8.GetBytes(text)) };

    public static PaxTarEntry Zeros(string name, int bytes) =>
        new(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(new byte[bytes]) };

    public static PaxTarEntry Folder(string name) => new(TarEntryType.Directory, name);

    public static PaxTarEntry Link(string name, string target) => new(TarEntryType.SymbolicLink, name) { LinkName = target };

    public static PaxTarEntry HardLink(string name, string target) => new(TarEntryType.HardLink, name) { LinkName = target };
}
