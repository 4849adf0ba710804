using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Crossfade.Cli;
using Crossfade.Contracts.V1;

namespace Crossfade.Commands;

/// <summary>crossfade traffic: the weekday × hour heatmap of an environment's requests, and its quietest windows.</summary>
public static class TrafficCommand
{
    private const string Shades = " .:-=+*#%@";

    public static Command Create()
    {
        var app = new Argument<string>("app");
        var env = new Option<string>("--env") { Required = true };
        var days = new Option<int?>("--days") { Description = "how many days back (1-90, default 28)" };
        var tz = new Option<string?>("--tz") { Description = "the time zone to read hours in, e.g. Europe/Berlin (default UTC)" };
        var hours = new Option<int?>("--hours") { Description = "the length of a quiet window in hours (default 1)" };
        var command = new Command("traffic", "when is traffic lowest? requests by weekday and hour, and the quietest windows") { app, env, days, tz, hours, Globals.Json };
        command.SetAction((parse, ct) => Globals.Guard(async () =>
        {
            var query = string.Join('&', new[]
            {
                parse.GetValue(days) is { } d ? $"days={d}" : null,
                parse.GetValue(tz) is { } z ? $"tz={Uri.EscapeDataString(z)}" : null,
                parse.GetValue(hours) is { } h ? $"hours={h}" : null,
            }.OfType<string>());
            var view = await Globals.Client(parse).TrafficAsync(parse.GetValue(app)!, parse.GetValue(env)!, query, ct);
            if (parse.GetValue(Globals.Json))
                Console.WriteLine(JsonSerializer.Serialize(view, ApiClient.Json));
            else
                Print(view, Console.Out);
            return 0;
        }));
        return command;
    }

    /// <summary>One row per weekday, one column per hour, each cell shaded by its share of the busiest hour.</summary>
    public static void Print(TrafficView view, TextWriter output)
    {
        var peak = view.Cells.Max(c => c.RequestsPerHour);
        output.WriteLine($"{view.App} {view.Environment}: {view.Requests:N0} requests from {view.From:yyyy-MM-dd HH:mm} to {view.To:yyyy-MM-dd HH:mm} UTC, hours in {view.TimeZone}");
        output.WriteLine("     " + string.Concat(Enumerable.Range(0, 24).Select(h => h % 3 == 0 ? h.ToString("00", CultureInfo.InvariantCulture).PadRight(3) : "")));
        for (var day = 0; day < 7; day++)
        {
            var row = view.Cells.Where(c => c.Weekday == day).OrderBy(c => c.Hour)
                .Select(c => c.Samples == 0 ? '?' : Shades[peak <= 0 ? 0 : (int)Math.Round(c.RequestsPerHour / peak * (Shades.Length - 1))]);
            output.WriteLine($"{Core.Telemetry.TrafficHeatmap.Days[day]}  {string.Concat(row)}");
        }
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"     ' ' none ... '@' the busiest hour ({peak:N0} requests/hour on average)"));
        if (view.Requests == 0)
        {
            output.WriteLine("no requests recorded in that time: nothing to tell quiet from busy yet");
            return;
        }
        foreach (var quiet in view.Quietest)
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"quiet: {quiet.Label}, {quiet.RequestsPerHour:N1} requests/hour on average"));
    }
}
