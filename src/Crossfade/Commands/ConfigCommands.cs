using System.CommandLine;
using System.Text.Json;
using Crossfade.Cli;

namespace Crossfade.Commands;

/// <summary>converge and secret: configuration outside a deploy.</summary>
public static class ConfigCommands
{
    public static Command Converge()
    {
        var app = new Argument<string>("app");
        var env = new Option<string>("--env") { Required = true, Description = "the environment" };
        var whyRun = new Option<bool>("--why-run") { Description = "show exactly what would change, and change nothing" };
        var queue = new Option<bool>("--wait") { Description = "queue behind a deploy in progress instead of being refused" };
        var command = new Command("converge", "converge the live release's configuration on every host of an environment") { app, env, whyRun, queue, Globals.Json };
        command.SetAction((parse, ct) => Globals.Guard(async () =>
        {
            var api = Globals.Client(parse);
            var json = parse.GetValue(Globals.Json);
            var started = await api.ConvergeAsync(parse.GetValue(app)!, parse.GetValue(env)!, parse.GetValue(whyRun), ct, parse.GetValue(queue));
            var done = await new DeployWatcher(api, json ? TextWriter.Null : Console.Out).WatchAsync(started, ct);
            if (json)
                Console.WriteLine(JsonSerializer.Serialize(done, ApiClient.Json));
            return DeployWatcher.IsSuccess(done) ? 0 : 1;
        }));
        return command;
    }

    public static Command Secret()
    {
        var set = new Command("set", "set a secret's value, read from standard input (never from the command line)");
        var app = new Argument<string>("app");
        var name = new Argument<string>("name");
        var env = new Option<string?>("--env") { Description = "only for this environment (default: every environment of the app)" };
        set.Add(app);
        set.Add(name);
        set.Add(env);
        set.SetAction((parse, ct) => Globals.Guard(async () =>
        {
            var value = (await Console.In.ReadToEndAsync(ct)).TrimEnd('\r', '\n');
            if (value.Length == 0)
            {
                await Console.Error.WriteLineAsync("error: no value on standard input; pipe it in, e.g. 'crossfade secret set shop api_key < key.txt'");
                return 2;
            }
            await Globals.Client(parse).SetSecretAsync(parse.GetValue(app)!, parse.GetValue(name)!, value, parse.GetValue(env), ct);
            Console.WriteLine($"set {parse.GetValue(name)} for {parse.GetValue(app)} ({parse.GetValue(env) ?? "every environment"}); it goes out with the next deploy or converge");
            return 0;
        }));

        var listApp = new Argument<string>("app");
        var list = new Command("list", "list an app's secrets (names, never values)") { listApp, Globals.Json };
        list.SetAction((parse, ct) => Globals.Guard(async () =>
        {
            var secrets = await Globals.Client(parse).SecretsAsync(parse.GetValue(listApp)!, ct);
            if (parse.GetValue(Globals.Json))
                Console.WriteLine(JsonSerializer.Serialize(secrets, ApiClient.Json));
            else
                foreach (var s in secrets)
                    Console.WriteLine($"{s.Name,-24} {s.Environment ?? "(every environment)",-20} set by {s.UpdatedBy} at {s.UpdatedAt:u}{(s.Declared ? "" : "  (not declared in crossfade.yml)")}");
            return 0;
        }));

        var delApp = new Argument<string>("app");
        var delName = new Argument<string>("name");
        var delEnv = new Option<string?>("--env");
        var delete = new Command("delete", "remove a secret's value") { delApp, delName, delEnv };
        delete.SetAction((parse, ct) => Globals.Guard(async () =>
        {
            await Globals.Client(parse).DeleteSecretAsync(parse.GetValue(delApp)!, parse.GetValue(delName)!, parse.GetValue(delEnv), ct);
            Console.WriteLine($"deleted {parse.GetValue(delName)}");
            return 0;
        }));
        return new Command("secret", "manage an app's secrets, stored encrypted on the server") { set, list, delete };
    }
}
