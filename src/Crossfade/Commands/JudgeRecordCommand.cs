using System.CommandLine;
using System.Text.Json;
using Crossfade.Cli;
using Crossfade.Contracts.V1;

namespace Crossfade.Commands;

/// <summary>crossfade judge-record: how often the judge acted (or would have), and whether the team's own rollbacks agreed.</summary>
public static class JudgeRecordCommand
{
    public static Command Create()
    {
        var app = new Argument<string>("app");
        var env = new Option<string>("--env") { Required = true };
        var limit = new Option<int?>("--limit") { Description = "how many recent judged deploys (1-500, default 50)" };
        var command = new Command("judge-record", "the judge's verdicts on recent deploys, and whether the team's later rollbacks agreed") { app, env, limit, Globals.Json };
        command.SetAction((parse, ct) => Globals.Guard(async () =>
        {
            var view = await Globals.Client(parse).JudgeRecordAsync(parse.GetValue(app)!, parse.GetValue(env)!, parse.GetValue(limit), ct);
            if (parse.GetValue(Globals.Json))
                Console.WriteLine(JsonSerializer.Serialize(view, ApiClient.Json));
            else
                Print(view, Console.Out);
            return 0;
        }));
        return command;
    }

    public static void Print(JudgeRecordView view, TextWriter output)
    {
        var deploys = view.Deploys;
        if (deploys.Count == 0)
        {
            output.WriteLine($"{view.App} {view.Environment}: no judged deploy yet");
            return;
        }
        foreach (var d in deploys)
            output.WriteLine($"#{d.DeployId,-5} {d.CreatedAt:yyyy-MM-dd HH:mm} {d.Version,-10} {WireNames.Of(d.Outcome),-12} {d.Action}{(d.RolledBackByHand ? "; rolled back by hand" : "")}");
        var failed = deploys.Where(d => d.Outcome == JudgeOutcome.Fail).ToList();
        var passed = deploys.Where(d => d.Outcome != JudgeOutcome.Fail).ToList();
        var enforced = deploys.Count(d => d.Enforced);
        output.WriteLine();
        output.WriteLine($"{view.App} {view.Environment}: {deploys.Count} judged deploys ({enforced} enforced, {deploys.Count - enforced} observed)");
        output.WriteLine($"  the judge failed {failed.Count}: {failed.Count(d => d.Enforced)} rolled back by it, {failed.Count(d => !d.Enforced)} would have been; "
            + $"the team rolled back {failed.Count(d => !d.Enforced && d.RolledBackByHand)} of the {failed.Count(d => !d.Enforced)} it only observed");
        output.WriteLine($"  the judge did not fail {passed.Count}: the team rolled back {passed.Count(d => d.RolledBackByHand)} of them by hand (what the judge missed, or rolled back for another reason)");
    }
}
