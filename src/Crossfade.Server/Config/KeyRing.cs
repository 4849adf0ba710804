namespace Crossfade.Server.Config;

/// <summary>Where the Data Protection keys that encrypt secrets live: only the server's user may read them.</summary>
public static class KeyRing
{
    public static DirectoryInfo Folder(string dataDir)
    {
        var folder = Directory.CreateDirectory(Path.Combine(dataDir, "keys"));
        File.SetUnixFileMode(folder.FullName, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return folder;
    }
}
