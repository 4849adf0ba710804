using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Crossfade.Cli;

namespace Crossfade.Commands;

/// <summary>requests, search, new-routes: what the shipped access records and logs say.</summary>
public static class TelemetryCommands
{
    public static Command Requests()
    {
        var app = new Argument<string>("app");
        var env = new Option<string>("--env") { Required = true };
        var by = new Option<string>("--by") { DefaultValueFactory = _ => "minute", Description = "minute, route, release, host or all" };
        var since = new Option<string?>("--since") { Description = "how far back: 30m, 6h, 2d (default 1h)" };
        var command = new Command("requests", "requests, 5xx and latency percentiles, by minute, route, release or host") { app, env, by, since, Globals.Json };
        command.SetAction((parse, ct) => Globals.Guard(async () =>
        {
            var from = DateTimeOffset.UtcNow - Duration(parse.GetValue(since) ?? "1h");
            var rows = await Globals.Client(parse).RequestStatsAsync(parse.GetValue(app)!, parse.GetValue(env)!, parse.GetValue(by)!, ct, from);
            if (parse.GetValue(Globals.Json))
            {
                Console.WriteLine(JsonSerializer.Serialize(rows, ApiClient.Json));
                return 0;
            }
            Console.WriteLine($"{parse.GetValue(by),-32} {"requests",9} {"5xx",7} {"5xx %",7} {"p50 ms",8} {"p95 ms",8} {"p99 ms",8}");
            foreach (var r in rows)
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{r.Key,-32} {r.Requests,9} {r.Errors5xx,7} {r.ErrorRate * 100,7:0.00} {r.P50Ms,8:0.0} {r.P95Ms,8:0.0} {r.P99Ms,8:0.0}"));
            return 0;
        }));
        return command;
    }

    public static Command Search()
    {
        var app = new Argument<string>("app");
        var text = new Argument<string?>("text") { Arity = ArgumentArity.ZeroOrOne, Description = "words, \"a phrase\", AND / OR / NOT, prefix*" };
        var env = new Option<string>("--env") { Required = true };
        var level = new Option<string?>("--level") { Description = "error, warning, info or debug" };
        var host = new Option<string?>("--host");
        var since = new Option<string?>("--since") { Description = "how far back: 30m, 6h, 2d" };
        var limit = new Option<int>("--limit") { DefaultValueFactory = _ => 100 };
        var command = new Command("search", "full-text search of the apps' logs") { app, text, env, level, host, since, limit, Globals.Json };
        command.SetAction((parse, ct) => Globals.Guard(async () =>
        {
            var query = string.Join("&", new[]
            {
                Param("q", parse.GetValue(text)), Param("level", parse.GetValue(level)), Param("host", parse.GetValue(host)),
                Param("from", parse.GetValue(since) is { } s ? (DateTimeOffset.UtcNow - Duration(s)).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture) : null),
                Param("limit", parse.GetValue(limit).ToString(CultureInfo.InvariantCulture)),
            }.OfType<string>());
            var lines = await Globals.Client(parse).SearchLogsAsync(parse.GetValue(app)!, parse.GetValue(env)!, query, ct);
            lines.Reverse();
            foreach (var l in lines)
                Console.WriteLine(parse.GetValue(Globals.Json) ? JsonSerializer.Serialize(l) : $"{l.At.ToLocalTime():yyyy-MM-dd HH:mm:ss} {l.Host,-10} {l.Level ?? "-",-7} {l.Text}");
            return 0;
        }));
        return command;
    }

    public static Command NewRoutes()
    {
        var app = new Argument<string>("app");
        var env = new Option<string>("--env") { Required = true };
        var deploy = new Option<long?>("--deploy") { Description = "compare with this deploy (default: the last one that succeeded)" };
        var command = new Command("new-routes", "routes first requested after a deploy, with their hits: is the new feature used?") { app, env, deploy, Globals.Json };
        command.SetAction((parse, ct) => Globals.Guard(async () =>
        {
            var routes = await Globals.Client(parse).NewRoutesAsync(parse.GetValue(app)!, parse.GetValue(env)!,
                parse.GetValue(deploy) is { } id ? $"deploy={id}" : "", ct);
            if (parse.GetValue(Globals.Json))
                Console.WriteLine(JsonSerializer.Serialize(routes, ApiClient.Json));
            else if (routes.Count == 0)
                Console.WriteLine("no route was first requested after that deploy");
            else
                foreach (var r in routes)
                    Console.WriteLine($"{r.Method} {r.Route,-40} {r.Hits,8} hits since {r.FirstSeen.ToLocalTime():yyyy-MM-dd HH:mm}");
            return 0;
        }));
        return command;
    }

    private static string? Param(string name, string? value) => value is null ? null : $"{name}={Uri.EscapeDataString(value)}";

    private static TimeSpan Duration(string text) =>
        Core.Time.TimeText.Span(text) is { } span && span > TimeSpan.Zero ? span
        : throw new ArgumentException($"'{text}' is not a duration: use 30m, 6h or 2d");
}
