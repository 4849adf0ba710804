using System.Runtime.InteropServices;

namespace Crossfade.Agent.Instances;

public static partial class Native
{
    public const int SIGKILL = 9;
    public const int SIGTERM = 15;

    [LibraryImport("libc", EntryPoint = "rename", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Rename(string from, string to);

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    public static partial int Kill(int pid, int signal);
}
