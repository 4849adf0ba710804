using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Crossfade.Cli;
using Crossfade.Contracts.V1;

namespace Crossfade.Commands;

/// <summary>crossfade freeze add|list|remove: windows in which an environment takes no deploys.</summary>
public static class FreezeCommands
{
    public static Command Create()
    {
        var app = new Argument<string>("app");
        var env = new Option<string>("--env") { Required = true };
        var reason = new Option<string>("--reason") { Required = true, Description = "why deploys are held (shown to whoever is refused)" };
        var from = new Option<string?>("--from") { Description = "a one-off freeze's start, ISO 8601 (2026-12-24T00:00:00Z)" };
        var to = new Option<string?>("--to") { Description = "a one-off freeze's end, ISO 8601" };
        var every = new Option<string?>("--every") { Description = "a recurring window: 'Fri 16:00-Mon 08:00' (weekly) or '18:00-08:00' (daily)" };
        var zone = new Option<string?>("--tz") { Description = "the time zone of --every (an IANA name; default UTC)" };
        var add = new Command("add", "freeze an environment (admin)") { app, env, reason, from, to, every, zone, Globals.Json };
        add.SetAction((parse, ct) => Globals.Guard(async () =>
        {
            DateTimeOffset? Time(Option<string?> option)
            {
                var text = parse.GetValue(option);
                return text is null ? null
                    : DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) ? at
                    : throw new ArgumentException($"{option.Name} '{text}' is not an ISO 8601 time");
            }
            var created = await Globals.Client(parse).AddFreezeAsync(parse.GetValue(app)!, parse.GetValue(env)!,
                new CreateFreezeRequest(parse.GetValue(reason)!, Time(from), Time(to), parse.GetValue(every), parse.GetValue(zone)), ct);
            Console.WriteLine(parse.GetValue(Globals.Json) ? JsonSerializer.Serialize(created) : Line(created));
            return 0;
        }));
        var listApp = new Option<string?>("--app");
        var list = new Command("list", "freezes, and whether each holds now") { listApp, Globals.Json };
        list.SetAction((parse, ct) => Globals.Guard(async () =>
        {
            foreach (var f in await Globals.Client(parse).FreezesAsync(parse.GetValue(listApp), ct))
                Console.WriteLine(parse.GetValue(Globals.Json) ? JsonSerializer.Serialize(f) : Line(f));
            return 0;
        }));
        var id = new Argument<long>("id");
        var remove = new Command("remove", "lift a freeze (admin)") { id };
        remove.SetAction((parse, ct) => Globals.Guard(async () =>
        {
            await Globals.Client(parse).RemoveFreezeAsync(parse.GetValue(id), ct);
            Console.WriteLine($"freeze #{parse.GetValue(id)} lifted");
            return 0;
        }));
        return new Command("freeze", "freeze windows: deploys are refused (or wait, for schedules and webhooks); rollbacks pass") { add, list, remove };
    }

    public static string Line(FreezeView f) =>
        $"#{f.Id,-4} {f.App}/{f.Environment}  {f.Window}  "
        + (f.HoldsUntil is { } until ? $"FROZEN until {until.ToLocalTime():yyyy-MM-dd HH:mm zzz}" : f.NextStart is { } next ? $"next {next.ToLocalTime():yyyy-MM-dd HH:mm zzz}" : "over")
        + $"  {f.Reason} (by {f.CreatedBy})";
}
