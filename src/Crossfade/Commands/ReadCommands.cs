using System.CommandLine;
using System.Text.Json;
using Crossfade.Cli;
using Crossfade.Contracts.V1;

namespace Crossfade.Commands;

/// <summary>status, history, show, logs, hosts: the commands that only read.</summary>
public static class ReadCommands
{
    public static Command Status()
    {
        var app = new Argument<string>("app");
        var env = new Option<string>("--env") { Required = true };
        var command = new Command("status", "what an environment runs, host by host") { app, env, Globals.Json };
        command.SetAction((parse, ct) => Globals.Guard(async () =>
        {
            var status = await Globals.Client(parse).StatusAsync(parse.GetValue(app)!, parse.GetValue(env)!, ct);
            if (Print(parse, status))
                return 0;
            Console.WriteLine($"{status.App} {status.Environment}: release {status.Version ?? "none"}; last deploy #{status.LastDeployId?.ToString() ?? "-"} {status.LastDeployState?.ToString() ?? ""}");
            foreach (var h in status.Hosts)
                Console.WriteLine($"  {h.Name,-12} {string.Join(',', h.Roles),-16} {(h.Online ? "online " : "OFFLINE")} {h.Release ?? "-"}");
            return 0;
        }));
        return command;
    }

    public static Command History()
    {
        var app = new Argument<string>("app");
        var limit = new Option<int>("--limit") { DefaultValueFactory = _ => 20 };
        var env = new Option<string?>("--env") { Description = "only this environment's deploys" };
        var command = new Command("history", "the deploys of an app, newest first") { app, limit, env, Globals.Json };
        command.SetAction((parse, ct) => Globals.Guard(async () =>
        {
            var deploys = await Globals.Client(parse).HistoryAsync(parse.GetValue(app)!, parse.GetValue(limit), parse.GetValue(env), ct);
            if (Print(parse, deploys))
                return 0;
            foreach (var d in deploys)
                Console.WriteLine($"#{d.Id,-5} {d.CreatedAt:yyyy-MM-dd HH:mm:ss} {WireNames.Of(d.Kind),-8} {d.Version,-12} {d.Commit?[..Math.Min(8, d.Commit.Length)] ?? "-",-8} {d.Environment,-12} {d.State,-11} {DeployWatcher.Seconds(d.CreatedAt, d.FinishedAt),7} {d.RequestedBy} via {d.Trigger}{(d.Reason is null ? "" : $": {d.Reason}")}");
            return 0;
        }));
        return command;
    }

    public static Command Show()
    {
        var id = new Argument<long>("deploy");
        var command = new Command("show", "one deploy: phases, steps per host, outcome") { id, Globals.Json };
        command.SetAction((parse, ct) => Globals.Guard(async () =>
        {
            var d = await Globals.Client(parse).GetDeployAsync(parse.GetValue(id), ct);
            if (Print(parse, d))
                return 0;
            Console.WriteLine($"{DeployWatcher.Title(d)}: {d.State}, requested by {d.RequestedBy} via {d.Trigger} at {d.CreatedAt:u}");
            if (d.Commit is not null || d.Message is not null)
                Console.WriteLine($"release {d.Version}: commit {d.Commit ?? "-"}{(d.Message is null ? "" : $", \"{d.Message}\"")}");
            if (d.Reason is not null)
                Console.WriteLine($"reason: {d.Reason}");
            foreach (var p in d.Phases)
                Console.WriteLine($"  {p.Name,-12} {DeployWatcher.Seconds(p.StartedAt, p.EndedAt),7}");
            foreach (var line in VerdictPrinter.Steps(d.Steps, DeployWatcher.StepLines))
                Console.Write(line);
            VerdictPrinter.Print(d.Id, d.Verdicts ?? [], Console.Out);
            return 0;
        }));
        return command;
    }

    public static Command Logs()
    {
        var id = new Argument<long>("deploy");
        var host = new Option<string?>("--host");
        var follow = new Option<bool>("--follow", "-f") { Description = "keep printing until the deploy ends" };
        var command = new Command("logs", "the full output of a deploy's steps") { id, host, follow };
        command.SetAction((parse, ct) => Globals.Guard(async () =>
        {
            var api = Globals.Client(parse);
            long after = 0;
            while (true)
            {
                var lines = await api.LogsAsync(parse.GetValue(id), parse.GetValue(host), after, ct);
                foreach (var l in lines)
                    Console.WriteLine($"{l.At:HH:mm:ss.fff} {l.Host,-10} {WireNames.Of(l.Step),-8} {l.Line}");
                after = lines.Count > 0 ? lines[^1].Seq : after;
                if (!parse.GetValue(follow) || (lines.Count == 0 && DeployWatcher.IsFinal((await api.GetDeployAsync(parse.GetValue(id), ct)).State)))
                    return 0;
                if (lines.Count == 0)
                    await Task.Delay(500, ct);
            }
        }));
        return command;
    }

    public static Command Hosts()
    {
        var command = new Command("hosts", "enrolled hosts") { Globals.Json };
        command.SetAction((parse, ct) => Globals.Guard(async () =>
        {
            var hosts = await Globals.Client(parse).HostsAsync(ct);
            if (Print(parse, hosts))
                return 0;
            foreach (var h in hosts)
                Console.WriteLine($"{h.Name,-12} {string.Join(',', h.Roles),-16} {(h.Online ? "online" : "OFFLINE")} last seen {h.LastSeen:u}"
                    + $"  agent {h.AgentVersion?.Split('+')[0] ?? "?"}{(h.AgentOutdated ? " (older than the server)" : "")}");
            return 0;
        }));
        return command;
    }

    public static Command Token()
    {
        var role = new Option<string>("--role") { Required = true, Description = "viewer, deployer, admin, or enroll (a one-time agent enrollment token)" };
        var name = new Option<string?>("--name");
        var create = new Command("create", "create a token; its secret is printed once") { role, name };
        create.SetAction((parse, ct) => Globals.Guard(async () =>
        {
            var token = await Globals.Client(parse).CreateTokenAsync(parse.GetValue(role)!, parse.GetValue(name), ct);
            Console.WriteLine(token.Token);
            if (token.Fingerprint is { } pin)
                await Console.Error.WriteLineAsync($"(it carries the server's key {pin}: whoever uses it trusts only that key)");
            return 0;
        }));
        var list = new Command("list", "the tokens: id, name, role, created (never their secrets)") { Globals.Json };
        list.SetAction((parse, ct) => Globals.Guard(async () =>
        {
            var tokens = await Globals.Client(parse).TokensAsync(ct);
            if (Print(parse, tokens))
                return 0;
            foreach (var t in tokens)
                Console.WriteLine($"{t.Id}  {t.Role,-8} {t.CreatedAt:u}  {t.Name}");
            return 0;
        }));
        var id = new Argument<string>("id") { Description = "the token's id as 'token list' shows it (8 or more of its first characters)" };
        var revoke = new Command("revoke", "revoke a token at once: requests with it are refused from now on") { id };
        revoke.SetAction((parse, ct) => Globals.Guard(async () =>
        {
            await Globals.Client(parse).RevokeTokenAsync(parse.GetValue(id)!, ct);
            Console.WriteLine($"revoked {parse.GetValue(id)}");
            return 0;
        }));
        return new Command("token", "manage API tokens") { create, list, revoke };
    }

    private static bool Print<T>(ParseResult parse, T value)
    {
        if (!parse.GetValue(Globals.Json))
            return false;
        Console.WriteLine(JsonSerializer.Serialize(value, ApiClient.Json));
        return true;
    }
}
