using System.CommandLine;
using System.Runtime.InteropServices;
using Crossfade.Cli;
using Crossfade.Core.Versioning;

namespace Crossfade.Commands;

/// <summary><c>crossfade version</c>: this program's version, commit and build date, and the server's when one answers.</summary>
public static class VersionCommand
{
    public static Command Create()
    {
        var command = new Command("version", "print this program's version, commit and build date (and the server's)");
        command.SetAction(async (parse, ct) =>
        {
            var mine = ProductVersion.Current;
            Console.WriteLine($"crossfade {mine.Version}");
            Console.WriteLine($"  commit  {mine.Commit ?? "unknown (built outside git)"}");
            Console.WriteLine($"  built   {(mine.BuiltAt is { } at ? $"{at:yyyy-MM-dd HH:mm:ss}Z" : "unknown")}");
            Console.WriteLine($"  runtime .NET {Environment.Version} on {RuntimeInformation.RuntimeIdentifier}");
            using var quick = CancellationTokenSource.CreateLinkedTokenSource(ct);
            quick.CancelAfter(TimeSpan.FromSeconds(3));
            var client = Globals.Client(parse);
            try
            {
                var server = (await client.WhoAmIAsync(quick.Token)).ServerVersion;
                Console.WriteLine($"server {server} at {client.BaseAddress}" + (mine.IsNewerThan(server) ? " (older than this program)" : ""));
            }
            catch (Exception e) when (e is ApiError or OperationCanceledException)
            {
                Console.WriteLine($"server at {client.BaseAddress}: not asked ({(e is ApiError api ? api.Message : "no answer within 3 s")})");
            }
            return 0;
        });
        return command;
    }
}
