using System.CommandLine;
using Crossfade.Cli;

namespace Crossfade.Commands;

/// <summary><c>crossfade dashboard</c>: the dashboard's address and a one-time sign-in link (the link carries a code, never the token).</summary>
public static class DashboardCommand
{
    public static Command Create()
    {
        var command = new Command("dashboard", "print the web dashboard's address and a one-time sign-in link (works once, for five minutes)");
        command.SetAction((parse, ct) => Globals.Guard(async () =>
        {
            var client = Globals.Client(parse);
            await PrintAsync(client, Console.Out, ct);
            return 0;
        }));
        return command;
    }

    public static async Task PrintAsync(ApiClient client, TextWriter output, CancellationToken ct)
    {
        var link = await client.SignInLinkAsync(ct);
        var server = client.BaseAddress.ToString().TrimEnd('/');
        output.WriteLine($"dashboard: {server}/");
        output.WriteLine($"  sign in once with {server}{link.Path} (expires {link.ExpiresAt.ToLocalTime():HH:mm:ss}; later, sign in with a token)");
    }
}
