using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Crossfade.Cli;
using Crossfade.Contracts.V1;

namespace Crossfade.Commands;

/// <summary>crossfade events: read the timeline, or follow it live.</summary>
public static class EventsCommand
{
    public static Command Create()
    {
        var app = new Option<string?>("--app");
        var env = new Option<string?>("--env");
        var kind = new Option<string?>("--kind") { Description = "deploy.started, deploy.phase, deploy.ended, deploy.queued, converge.host, external" };
        var tags = new Option<string[]>("--tag") { Description = "only events with this tag (key:value); repeat for all of several", AllowMultipleArgumentsPerToken = false };
        var since = new Option<string?>("--since") { Description = "how far back: 30m, 6h, 2d, or an ISO 8601 time (default: the last 100 events)" };
        var limit = new Option<int>("--limit") { DefaultValueFactory = _ => 100 };
        var follow = new Option<bool>("--follow", "-f") { Description = "keep printing events as they happen, until Ctrl-C" };
        var command = new Command("events", "the timeline: deploys, phases, converges, and events other tools posted") { app, env, kind, tags, since, limit, follow, Globals.Json };
        command.SetAction((parse, ct) => Globals.Guard(async () =>
        {
            var start = Since(parse.GetValue(since));
            if (parse.GetValue(since) is { } text && start is null)
            {
                await Console.Error.WriteLineAsync($"error: --since '{text}' is neither a duration (30m, 6h, 2d) nor an ISO 8601 time");
                return 2;
            }
            var query = string.Join("&", new[]
            {
                Param("app", parse.GetValue(app)), Param("env", parse.GetValue(env)), Param("kind", parse.GetValue(kind)),
                Param("start", start?.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)),
                Param("limit", parse.GetValue(limit).ToString(CultureInfo.InvariantCulture)),
            }.Concat((parse.GetValue(tags) ?? []).Select(t => Param("tags", t))).OfType<string>());
            var api = Globals.Client(parse);
            var json = parse.GetValue(Globals.Json);
            if (parse.GetValue(follow))
            {
                await foreach (var e in api.FollowEventsAsync(query, ct))
                    Console.WriteLine(json ? JsonSerializer.Serialize(e) : Line(e));
                return 0;
            }
            var events = await api.EventsAsync(query, ct);
            events.Reverse();
            foreach (var e in events)
                Console.WriteLine(json ? JsonSerializer.Serialize(e) : Line(e));
            return 0;
        }));
        return command;
    }

    private static string? Param(string name, string? value) => value is null ? null : $"{name}={Uri.EscapeDataString(value)}";

    public static string Line(EventView e) =>
        $"{e.At.ToLocalTime():yyyy-MM-dd HH:mm:ss} {Mark(e.AlertType)} {e.Title}" + (string.IsNullOrWhiteSpace(e.Text) ? "" : $"\n    {e.Text.Replace("\n", "\n    ", StringComparison.Ordinal)}");

    private static string Mark(string alert) => alert switch
    {
        AlertTypes.Error => "ERROR",
        AlertTypes.Warning => "warn ",
        AlertTypes.Success => "ok   ",
        _ => "     ",
    };

    /// <summary>A --since value: a duration back from now (30m, 6h, 2d) or an ISO 8601 time; null when it is neither.</summary>
    public static DateTimeOffset? Since(string? text)
    {
        if (text is null)
            return null;
        if (Core.Time.TimeText.Span(text) is { } ago)
            return DateTimeOffset.UtcNow - ago;
        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) ? at : null;
    }
}
