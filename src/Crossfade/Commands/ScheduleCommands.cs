using System.CommandLine;
using System.Text.Json;
using Crossfade.Cli;
using Crossfade.Contracts.V1;

namespace Crossfade.Commands;

/// <summary>crossfade schedule list|cancel: deploys scheduled with 'crossfade deploy … --at'.</summary>
public static class ScheduleCommands
{
    public static Command Create()
    {
        var app = new Option<string?>("--app");
        var all = new Option<bool>("--all") { Description = "started, failed and canceled ones too" };
        var list = new Command("list", "scheduled deploys, soonest first") { app, all, Globals.Json };
        list.SetAction((parse, ct) => Globals.Guard(async () =>
        {
            foreach (var s in await Globals.Client(parse).SchedulesAsync(parse.GetValue(app), parse.GetValue(all), ct))
                Console.WriteLine(parse.GetValue(Globals.Json) ? JsonSerializer.Serialize(s) : Line(s));
            return 0;
        }));
        var id = new Argument<long>("id");
        var cancel = new Command("cancel", "cancel a scheduled deploy that has not started") { id };
        cancel.SetAction((parse, ct) => Globals.Guard(async () =>
        {
            await Globals.Client(parse).CancelScheduleAsync(parse.GetValue(id), ct);
            Console.WriteLine($"scheduled deploy #{parse.GetValue(id)} canceled");
            return 0;
        }));
        return new Command("schedule", "deploys scheduled for later") { list, cancel };
    }

    public static string Line(ScheduleView s) =>
        $"#{s.Id,-4} {s.RunAt.ToLocalTime():yyyy-MM-dd HH:mm zzz}{(s.Quiet ? " (quiet hour)" : "")}  {s.App} {s.Version} -> {s.Environment}  {s.State}"
        + (s.DeployId is { } d ? $" as deploy #{d}" : "") + $"  by {s.RequestedBy}" + (s.Reason is null ? "" : $"\n      {s.Reason}");
}
