using System.Formats.Tar;

namespace Crossfade.Core.Artifacts;

/// <summary>
/// Writes accepted entries under a fresh folder. The rules already refused any entry that passes
/// through a link; this sink checks again on disk (no parent may be a link) and never follows a
/// link when it creates a file, so a mistake in the rules still cannot write outside the folder.
/// Files lose set-user-ID, set-group-ID and sticky bits: an agent may run as root.
/// </summary>
internal sealed class FolderSink(string root) : IArchiveSink
{
    private const UnixFileMode Permissions = (UnixFileMode)0x1FF; // rwxrwxrwx
    private readonly string _root = Path.GetFullPath(root);
    private readonly HashSet<string> _folders = new(StringComparer.Ordinal) { "" };

    public void Directory(string[] path) => EnsureFolder(path);

    public void File(string[] path, TarEntry entry)
    {
        EnsureFolder(path[..^1]);
        var mode = entry.Mode & Permissions;
        using var output = Create(path, mode == 0 ? (UnixFileMode)0x1A4 : mode); // 0644 when the archive says nothing
        entry.DataStream?.CopyTo(output);
    }

    public void Link(string[] path, string target)
    {
        EnsureFolder(path[..^1]);
        // symlink(2) fails on any existing name, a link included.
        System.IO.File.CreateSymbolicLink(Full(path), target);
    }

    public void HardLink(string[] path, string[] target)
    {
        EnsureFolder(path[..^1]);
        var source = new FileInfo(Full(target));
        if (source.LinkTarget is not null || !source.Exists)
            throw new IOException($"'{EntryPath.Join(target)}' is not a regular file of this release");
        using var input = source.OpenRead();
        using var output = Create(path, source.UnixFileMode & Permissions);
        input.CopyTo(output);
    }

    private FileStream Create(string[] path, UnixFileMode mode) =>
        // CreateNew is O_CREAT|O_EXCL: it fails on an existing name, a dangling link included, instead of following it.
        new(Full(path), new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = mode });

    private void EnsureFolder(string[] path)
    {
        for (var i = 1; i <= path.Length; i++)
        {
            var relative = EntryPath.Join(path.Take(i));
            if (_folders.Contains(relative))
                continue;
            var full = Path.Combine(_root, relative);
            var info = new DirectoryInfo(full);
            if (info.LinkTarget is not null)
                throw new IOException($"'{relative}' is a link; nothing is written through it");
            if (System.IO.File.Exists(full))
                throw new IOException($"'{relative}' is a file, not a folder");
            info.Create();
            _folders.Add(relative);
        }
    }

    private string Full(string[] path) => Path.Combine(_root, EntryPath.Join(path));
}
