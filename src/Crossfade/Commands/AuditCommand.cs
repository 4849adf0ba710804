using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Crossfade.Cli;
using Crossfade.Contracts.V1;

namespace Crossfade.Commands;

/// <summary>crossfade audit: who changed what, from where and with what outcome; and whether the trail is intact.</summary>
public static class AuditCommand
{
    public static Command Create()
    {
        var since = new Option<string?>("--since") { Description = "how far back: 30m, 6h, 2d, or an ISO 8601 time" };
        var who = new Option<string?>("--who") { Description = "a token's name or id" };
        var app = new Option<string?>("--app");
        var limit = new Option<int>("--limit") { DefaultValueFactory = _ => 100 };
        var command = new Command("audit", "the audit trail: every change, refused ones too (admin)") { since, who, app, limit, Globals.Json, Verify() };
        command.SetAction((parse, ct) => Globals.Guard(async () =>
        {
            var from = EventsCommand.Since(parse.GetValue(since));
            if (parse.GetValue(since) is { } text && from is null)
            {
                await Console.Error.WriteLineAsync($"error: --since '{text}' is neither a duration (30m, 6h, 2d) nor an ISO 8601 time");
                return 2;
            }
            var query = string.Join("&", new[]
            {
                Param("since", from?.ToString("O", CultureInfo.InvariantCulture)), Param("who", parse.GetValue(who)), Param("app", parse.GetValue(app)),
                Param("limit", parse.GetValue(limit).ToString(CultureInfo.InvariantCulture)),
            }.OfType<string>());
            var records = await Globals.Client(parse).AuditAsync(query, ct);
            records.Reverse();
            foreach (var r in records)
                Console.WriteLine(parse.GetValue(Globals.Json) ? JsonSerializer.Serialize(r) : Line(r));
            return 0;
        }));
        return command;
    }

    private static Command Verify()
    {
        var head = new Option<string?>("--head") { Description = "a head hash written down earlier: checks the trail still holds that record (none cut from its end)" };
        var command = new Command("verify", "check the audit chain: a removed or altered record breaks it") { head, Globals.Json };
        command.SetAction((parse, ct) => Globals.Guard(async () =>
        {
            var result = await Globals.Client(parse).VerifyAuditAsync(parse.GetValue(head), ct);
            if (parse.GetValue(Globals.Json))
                Console.WriteLine(JsonSerializer.Serialize(result));
            else if (result.Intact)
                Console.WriteLine($"intact: {result.Records} record(s); head #{result.HeadSeq} {result.HeadHash}");
            else
                Console.WriteLine($"BROKEN at record #{result.BrokenAt}: {result.Problem}");
            return result.Intact ? 0 : 1;
        }));
        return command;
    }

    private static string? Param(string name, string? value) => value is null ? null : $"{name}={Uri.EscapeDataString(value)}";

    public static string Line(AuditRecordView r)
    {
        var where = string.Join(" ", new[] { r.App is null ? null : "app=" + r.App, r.Environment is null ? null : "env=" + r.Environment }
            .Concat(r.Parameters.Select(p => $"{p.Key}={p.Value}")).OfType<string>());
        var who = r.TokenId.Length == 0 ? r.Actor : $"{r.Actor} ({r.Role}, {r.TokenId})";
        var from = r.Address.Length == 0 ? "" : $" from {r.Address}";
        // Every field came from a request: printed safe, whatever the server let through.
        return Terminal.Safe($"#{r.Seq,-6} {r.At.ToLocalTime():yyyy-MM-dd HH:mm:ss} {r.Outcome,-7} {r.Status} {who}{from}: {(r.Path.Length == 0 ? r.Action : r.Path)}"
            + (where.Length == 0 ? "" : $"  {where}")) + (r.Reason.Length == 0 ? "" : $"\n        {Terminal.Safe(r.Reason)}");
    }
}
