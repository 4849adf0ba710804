using System.CommandLine;
using System.Text.Json;
using Crossfade.Cli;
using Crossfade.Contracts.V1;

namespace Crossfade.Commands;

/// <summary>crossfade notices: what was sent to chat and webhooks, and what is still being tried.</summary>
public static class NoticesCommand
{
    public static Command Create()
    {
        var app = new Option<string?>("--app");
        var limit = new Option<int>("--limit") { DefaultValueFactory = _ => 50 };
        var command = new Command("notices", "notices sent to chat and webhooks (the outbox), newest first") { app, limit, Globals.Json };
        command.SetAction((parse, ct) => Globals.Guard(async () =>
        {
            foreach (var n in await Globals.Client(parse).NoticesAsync(parse.GetValue(app), parse.GetValue(limit), ct))
                Console.WriteLine(parse.GetValue(Globals.Json) ? JsonSerializer.Serialize(n) : Line(n));
            return 0;
        }));
        return command;
    }

    public static string Line(NoticeView n) =>
        $"#{n.Id,-5} {n.CreatedAt.ToLocalTime():yyyy-MM-dd HH:mm:ss} {n.Notice,-18} {n.App}/{n.Environment} -> {n.Target} ({n.Secret})  {n.State}"
        + (n.Attempts > 1 ? $" after {n.Attempts} tries" : "")
        + (n.LastError is null ? "" : $": {n.LastError}" + (n.State == "pending" ? $", next try {n.NextAt.ToLocalTime():HH:mm:ss}" : ""));
}
