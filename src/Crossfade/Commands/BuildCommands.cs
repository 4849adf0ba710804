using System.CommandLine;
using System.Text.Json;
using Crossfade.Cli;
using Crossfade.Contracts.V1;

namespace Crossfade.Commands;

/// <summary>crossfade build | builds | webhook secret: building from source, by hand or from a push.</summary>
public static class BuildCommands
{
    public static Command Build()
    {
        var app = new Argument<string>("app");
        var gitRef = new Option<string>("--ref") { Required = true, Description = "a branch, tag or commit of the spec's repository" };
        var env = new Option<string?>("--env") { Description = "deploy what it makes to this environment" };
        var noWait = new Option<bool>("--no-wait") { Description = "return once the build is queued" };
        var command = new Command("build", "build a release from source (the spec's 'build'), printing its output; exits 0 only if it succeeded") { app, gitRef, env, noWait, Globals.Json };
        command.SetAction((parse, ct) => Globals.Guard(async () =>
        {
            var api = Globals.Client(parse);
            var build = await api.StartBuildAsync(parse.GetValue(app)!, new StartBuildRequest(parse.GetValue(gitRef)!, parse.GetValue(env)), ct);
            var json = parse.GetValue(Globals.Json);
            if (!json)
                Console.WriteLine($"build #{build.Id} of {build.App} ({build.Ref}) queued");
            if (parse.GetValue(noWait))
            {
                if (json)
                    Console.WriteLine(JsonSerializer.Serialize(build));
                return 0;
            }
            long after = 0;
            while (true)
            {
                foreach (var line in await api.BuildLogAsync(build.Id, after, ct))
                {
                    after = line.Seq;
                    if (!json)
                        Console.WriteLine($"  {Terminal.Safe(line.Line)}");
                }
                build = await api.GetBuildAsync(build.Id, ct);
                if (build.State is "succeeded" or "failed" or "superseded")
                    break;
                await Task.Delay(500, ct);
            }
            foreach (var line in await api.BuildLogAsync(build.Id, after, ct))
                if (!json)
                    Console.WriteLine($"  {Terminal.Safe(line.Line)}");
            Console.WriteLine(json ? JsonSerializer.Serialize(build) : Line(build));
            return build.State == "succeeded" ? 0 : 1;
        }));
        return command;
    }

    public static Command Builds()
    {
        var app = new Argument<string>("app");
        var limit = new Option<int>("--limit") { DefaultValueFactory = _ => 20 };
        var command = new Command("builds", "an app's builds, newest first") { app, limit, Globals.Json };
        command.SetAction((parse, ct) => Globals.Guard(async () =>
        {
            foreach (var b in await Globals.Client(parse).BuildsAsync(parse.GetValue(app)!, parse.GetValue(limit), ct))
                Console.WriteLine(parse.GetValue(Globals.Json) ? JsonSerializer.Serialize(b) : Line(b));
            return 0;
        }));
        return command;
    }

    public static Command Webhook()
    {
        var app = new Argument<string>("app");
        var secret = new Command("secret", "make (or replace) the app's webhook secret and print it once, with the hook addresses (admin)") { app, Globals.Json };
        secret.SetAction((parse, ct) => Globals.Guard(async () =>
        {
            var made = await Globals.Client(parse).RotateHookSecretAsync(parse.GetValue(app)!, ct);
            if (parse.GetValue(Globals.Json))
            {
                Console.WriteLine(JsonSerializer.Serialize(made));
                return 0;
            }
            Console.WriteLine($"webhook secret of {made.App} (shown once; the one before no longer works):\n  {made.Secret}");
            foreach (var url in made.Urls)
                Console.WriteLine($"  {url}");
            return 0;
        }));
        return new Command("webhook", "SCM and CI webhooks that build and deploy") { secret };
    }

    public static string Line(BuildView b) =>
        $"build #{b.Id,-4} {b.CreatedAt.ToLocalTime():yyyy-MM-dd HH:mm:ss} {b.State,-10} {b.Ref} {b.Sha?[..Math.Min(8, b.Sha.Length)] ?? "-"}"
        + (b.Version is null ? "" : $" -> {b.Version}") + (b.Environment is null ? "" : $" for {b.Environment}") + (b.DeployId is { } d ? $" (deploy #{d})" : "")
        + $" by {b.RequestedBy} via {b.Trigger}" + (b.Host is null ? "" : $" on {b.Host}") + (b.Reason is null ? "" : $"\n      {b.Reason}");
}
