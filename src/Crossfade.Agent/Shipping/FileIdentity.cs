using System.Runtime.InteropServices;

namespace Crossfade.Agent.Shipping;

/// <summary>
/// A file's inode, which survives a rename: how a follower tells "rotated away" from "written to".
/// Read with stat(2); the layout is that of glibc on x86-64 and arm64 (st_ino right after st_dev).
/// </summary>
public static partial class FileIdentity
{
    /// <returns>the inode, or null when the path does not exist.</returns>
    public static ulong? Of(string path)
    {
        var buffer = new byte[256];
        return Stat(path, buffer) == 0 ? BitConverter.ToUInt64(buffer, 8) : null;
    }

    [LibraryImport("libc", EntryPoint = "stat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Stat(string path, byte[] buffer);
}
