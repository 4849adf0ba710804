namespace Crossfade.Agent.Converge;

/// <summary>
/// A throw-away copy of the app's config folder (files, folders, links and modes) that a why-run
/// converges for real, so every guard sees the state the resources before it would have left. The
/// real folder is never written.
/// </summary>
public sealed class ShadowFolder : IDisposable
{
    private ShadowFolder(string path) => Path = path;

    public string Path { get; }

    public static ShadowFolder Of(string realDir)
    {
        var parent = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(realDir))!;
        var shadow = new ShadowFolder(System.IO.Path.Combine(parent, $".why-run-{Guid.NewGuid():N}"));
        Copy(realDir, shadow.Path);
        return shadow;
    }

    private static void Copy(string from, string to)
    {
        Directory.CreateDirectory(to);
        if (Directory.Exists(from))
            File.SetUnixFileMode(to, File.GetUnixFileMode(from));
        else
            return;
        foreach (var entry in new DirectoryInfo(from).EnumerateFileSystemInfos())
        {
            var target = System.IO.Path.Combine(to, entry.Name);
            if (entry.LinkTarget is { } link)
                File.CreateSymbolicLink(target, link);
            else if (entry is DirectoryInfo)
                Copy(entry.FullName, target);
            else
            {
                File.Copy(entry.FullName, target);
                File.SetUnixFileMode(target, File.GetUnixFileMode(entry.FullName));
            }
        }
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A leftover shadow is harmless and the next why-run uses a new name.
        }
    }
}
