using System.Reflection;

namespace Crossfade.Cli;

/// <summary>The command line that starts this same program, for launching servers, agents and proxies.</summary>
public static class SelfCommand
{
    public static IReadOnlyList<string> Get()
    {
        var process = Environment.ProcessPath ?? "dotnet";
        return Path.GetFileNameWithoutExtension(process) == "dotnet"
            ? [process, Assembly.GetEntryAssembly()!.Location]
            : [process];
    }
}
