using System.Reflection;

namespace Crossfade.Cli;

/// <summary>The command line that starts this same program, for launching servers, agents and proxies.</summary>
public static class SelfCommand
{
    public static IReadOnlyList<string> Get()
    {
        var process = Environment.ProcessPath ?? "dotnet";
        var entry = Assembly.GetEntryAssembly();
        var dll = Path.Combine(AppContext.BaseDirectory, "crossfade.dll");
        // The single-file binary is itself the program; a build run through 'dotnet' names its crossfade.dll.
        if (entry?.GetName().Name == "crossfade")
            return Path.GetFileNameWithoutExtension(process) == "dotnet" ? [process, dll] : [process];
        // Hosted by another program (a test runner, a benchmark): run the crossfade.dll built beside it.
        return File.Exists(dll)
            ? ["dotnet", dll]
            : throw new InvalidOperationException($"cannot find crossfade.dll in {AppContext.BaseDirectory}");
    }
}
