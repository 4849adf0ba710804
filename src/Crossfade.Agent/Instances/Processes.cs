using System.Diagnostics;
using System.Globalization;

namespace Crossfade.Agent.Instances;

/// <summary>Starts detached processes and finds, signals and stops them by <see cref="ProcessRef"/>.</summary>
public static class Processes
{
    /// <summary>
    /// Starts <paramref name="shellCommand"/> in its own session with stdin from /dev/null and output
    /// appended to <paramref name="logPath"/>; the shell execs the command, so the PID is the app's.
    /// </summary>
    public static ProcessRef Start(string shellCommand, string workingDirectory, IReadOnlyDictionary<string, string> env, string logPath)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(logPath)!);
        var info = new ProcessStartInfo("setsid")
        {
            WorkingDirectory = workingDirectory,
            UseShellExecute = false,
        };
        info.ArgumentList.Add("/bin/sh");
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add($"exec {shellCommand} </dev/null >>{Quote(logPath)} 2>&1");
        foreach (var (key, value) in env)
            info.Environment[key] = value;
        using var process = Process.Start(info) ?? throw new InvalidOperationException("could not start setsid");
        var pid = process.Id;
        return new ProcessRef(pid, StartTicks(pid) ?? 0);
    }

    /// <summary>Quotes a word for /bin/sh.</summary>
    public static string Quote(string word) => "'" + word.Replace("'", "'\\''") + "'";

    /// <summary>Whether the process still runs: same PID, same start time, not a zombie.</summary>
    public static bool IsAlive(ProcessRef? process)
    {
        if (process is null)
            return false;
        var stat = ReadStat(process.Pid);
        return stat is not null && stat.Value.State != 'Z' && stat.Value.State != 'X'
            && (process.StartTicks == 0 || stat.Value.StartTicks == process.StartTicks);
    }

    public static void Signal(ProcessRef process, int signal)
    {
        if (IsAlive(process))
            Native.Kill(process.Pid, signal);
    }

    /// <summary>Asks a process to stop (SIGTERM) and kills it (SIGKILL) if it is still there after the grace period.</summary>
    public static async Task<bool> StopAsync(ProcessRef? process, TimeSpan grace, TimeProvider time)
    {
        if (process is null || !IsAlive(process))
            return true;
        Native.Kill(process.Pid, Native.SIGTERM);
        var asked = time.GetTimestamp();
        while (time.GetElapsedTime(asked) < grace)
        {
            if (!IsAlive(process))
                return true;
            await Task.Delay(TimeSpan.FromMilliseconds(50), time);
        }
        Native.Kill(process.Pid, Native.SIGKILL);
        await Task.Delay(TimeSpan.FromMilliseconds(50), time);
        return false;
    }

    private static long? StartTicks(int pid) => ReadStat(pid)?.StartTicks;

    private static (char State, long StartTicks)? ReadStat(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            // The command name (field 2) may hold spaces and ')', so fields are counted after its last ')'.
            var rest = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return (rest[0][0], long.Parse(rest[19], CultureInfo.InvariantCulture));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return null;
        }
    }
}
