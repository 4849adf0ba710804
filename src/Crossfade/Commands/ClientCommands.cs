using System.CommandLine;
using System.Text.Json;
using Crossfade.Cli;
using Crossfade.Contracts.V1;
using Crossfade.Core.Artifacts;
using Crossfade.Core.Specs;

namespace Crossfade.Commands;

/// <summary>apply, release push, deploy, rollback: the commands that change things.</summary>
public static class ClientCommands
{
    public static Command Apply()
    {
        var file = new Argument<FileInfo>("file") { Description = "the app spec, crossfade.yml" };
        var command = new Command("apply", "register or update an app from its crossfade.yml") { file };
        command.SetAction((parse, ct) => Globals.Guard(async () =>
        {
            var path = parse.GetValue(file)!;
            if (!path.Exists)
            {
                await Console.Error.WriteLineAsync($"error: {path.FullName} does not exist");
                return 2;
            }
            var yaml = await File.ReadAllTextAsync(path.FullName, ct);
            var local = AppSpecParser.Parse(yaml, path.Name);
            if (!local.IsValid)
            {
                await Console.Error.WriteLineAsync($"{path.Name} has {local.Errors.Count} error(s); nothing was sent:");
                foreach (var error in local.Errors)
                    await Console.Error.WriteLineAsync($"  {error}");
                return 1;
            }
            var app = await Globals.Client(parse).ApplyAsync(yaml, path.Name, ct);
            Console.WriteLine($"applied {app.Name}: environments {string.Join(", ", app.Environments.Select(e => $"{e.Name} ({e.Hosts.Count} hosts)"))}");
            return 0;
        }));
        return command;
    }

    public static Command Release()
    {
        var app = new Argument<string>("app");
        var path = new Argument<string>("path") { Description = "a folder, or a .tar.gz of one" };
        var version = new Option<string>("--version") { Required = true, Description = "the release's version, unique per app" };
        var commit = new Option<string?>("--commit") { Description = "the commit it was built from" };
        var message = new Option<string?>("--message") { Description = "what changed" };
        var push = new Command("push", "upload a release") { app, path, version, commit, message };
        push.SetAction((parse, ct) => Globals.Guard(async () =>
        {
            var source = parse.GetValue(path)!;
            await using var archive = OpenArchive(source);
            if (archive is null)
            {
                await Console.Error.WriteLineAsync($"error: '{source}' is neither a folder nor a file");
                return 2;
            }
            var release = await Globals.Client(parse).PushReleaseAsync(parse.GetValue(app)!, parse.GetValue(version)!, parse.GetValue(commit), parse.GetValue(message), archive, ct);
            Console.WriteLine($"pushed {release.App} {release.Version}: sha256 {release.Sha256} ({release.SizeBytes} bytes)");
            return 0;
        }));
        return new Command("release", "manage releases") { push };
    }

    /// <summary>A folder is packed to a temporary file first, so the upload has a length and can be retried.</summary>
    private static FileStream? OpenArchive(string source)
    {
        if (File.Exists(source))
            return File.OpenRead(source);
        if (!Directory.Exists(source))
            return null;
        var temp = Path.GetTempFileName();
        var stream = new FileStream(temp, FileMode.Create, FileAccess.ReadWrite, FileShare.None, 1 << 16, FileOptions.DeleteOnClose);
        ArchivePacker.Pack(source, stream);
        stream.Position = 0;
        return stream;
    }

    public static Command Deploy()
    {
        var app = new Argument<string>("app");
        var version = new Option<string>("--version") { Required = true };
        var env = new Option<string>("--env") { Required = true, Description = "the environment" };
        var noWait = new Option<bool>("--no-wait") { Description = "return once the server accepted the deploy" };
        var queue = new Option<bool>("--wait") { Description = "if another deploy of the app and environment runs, queue behind it instead of being refused" };
        var canary = new Option<string?>("--canary") { Description = "switch this many web hosts (2) or this share of them (25%) first, then hold" };
        var hold = new Option<int?>("--canary-hold") { Description = "seconds the canaries hold before the rest switch (default: until 'crossfade promote')" };
        var at = new Option<string?>("--at") { Description = "schedule it instead: an ISO 8601 time (2026-12-03T04:30:00Z) or 'quiet' (the next quietest hour of traffic)" };
        var overrideFreeze = new Option<string?>("--override-freeze") { Description = "deploy through a freeze, saying why (admins only; audited and on the timeline)" };
        var command = new Command("deploy", "deploy a release to an environment; exits 0 only if it succeeded") { app, version, env, noWait, queue, canary, hold, at, overrideFreeze, Globals.Json };
        command.SetAction((parse, ct) => Globals.Guard(async () =>
        {
            var api = Globals.Client(parse);
            if (parse.GetValue(at) is { } when)
            {
                if (parse.GetValue(overrideFreeze) is not null || parse.GetValue(queue))
                    throw new ArgumentException("--at schedules the deploy: it passes the gate when its time comes, so --override-freeze and --wait do not apply");
                var scheduled = await api.ScheduleAsync(parse.GetValue(app)!, new ScheduleDeployRequest(parse.GetValue(env)!, parse.GetValue(version)!, when, parse.GetValue(canary), parse.GetValue(hold)), ct);
                Console.WriteLine(parse.GetValue(Globals.Json) ? System.Text.Json.JsonSerializer.Serialize(scheduled) : ScheduleCommands.Line(scheduled));
                return 0;
            }
            var started = await api.DeployAsync(parse.GetValue(app)!, parse.GetValue(env)!, parse.GetValue(version)!, ct, parse.GetValue(queue), parse.GetValue(canary), parse.GetValue(hold), parse.GetValue(overrideFreeze));
            return await FollowAsync(api, started, parse.GetValue(noWait), parse.GetValue(Globals.Json), ct);
        }));
        return command;
    }

    public static Command PromoteRelease()
    {
        var app = new Argument<string>("app");
        var version = new Option<string>("--version") { Required = true };
        var from = new Option<string>("--from") { Required = true, Description = "the environment the release succeeded in" };
        var to = new Option<string>("--to") { Required = true, Description = "the environment to deploy the very same release to" };
        var noWait = new Option<bool>("--no-wait");
        var command = new Command("promote-release", "deploy the release that succeeded in one environment to the next (the same archive, the same hash)") { app, version, from, to, noWait, Globals.Json };
        command.SetAction((parse, ct) => Globals.Guard(async () =>
        {
            var api = Globals.Client(parse);
            var started = await api.PromoteReleaseAsync(parse.GetValue(app)!, new PromoteReleaseRequest(parse.GetValue(version)!, parse.GetValue(from)!, parse.GetValue(to)!), ct);
            return await FollowAsync(api, started, parse.GetValue(noWait), parse.GetValue(Globals.Json), ct);
        }));
        return command;
    }

    public static Command Rollback()
    {
        var app = new Argument<string>("app");
        var env = new Option<string>("--env") { Required = true };
        var noWait = new Option<bool>("--no-wait");
        var queue = new Option<bool>("--wait") { Description = "queue behind a deploy in progress instead of being refused" };
        var command = new Command("rollback", "switch an environment back to the release before the live one") { app, env, noWait, queue, Globals.Json };
        command.SetAction((parse, ct) => Globals.Guard(async () =>
        {
            var api = Globals.Client(parse);
            var started = await api.RollbackAsync(parse.GetValue(app)!, parse.GetValue(env)!, ct, parse.GetValue(queue));
            if (started.Kind == DeployKind.Deploy && !parse.GetValue(Globals.Json))
                Console.WriteLine($"deploy #{started.Id} is verifying {started.Version}: its hosts switch back to {started.FromVersion} now");
            return await FollowAsync(api, started, parse.GetValue(noWait), parse.GetValue(Globals.Json), ct, rollingBackADeploy: started.Kind == DeployKind.Deploy);
        }));
        return command;
    }

    public static Command Promote() => CanaryCommand("promote", "switch the rest of the hosts after a canary", (api, app, env, ct) => api.PromoteAsync(app, env, ct), DeployState.Succeeded);

    public static Command Abort() => CanaryCommand("abort", "return the canaries (or a baking deploy's hosts) to the release before", (api, app, env, ct) => api.AbortAsync(app, env, ct), DeployState.RolledBack);

    private static Command CanaryCommand(string name, string description, Func<ApiClient, string, string, CancellationToken, Task<DeployView>> call, DeployState expected)
    {
        var app = new Argument<string>("app");
        var env = new Option<string>("--env") { Required = true };
        var command = new Command(name, description) { app, env };
        command.SetAction((parse, ct) => Globals.Guard(async () =>
        {
            var api = Globals.Client(parse);
            var deploy = await call(api, parse.GetValue(app)!, parse.GetValue(env)!, ct);
            var done = await new DeployWatcher(api, Console.Out).WatchAsync(deploy, ct);
            return done.State == expected ? 0 : 1;
        }));
        return command;
    }

    private static async Task<int> FollowAsync(ApiClient api, DeployView started, bool noWait, bool json, CancellationToken ct, bool rollingBackADeploy = false)
    {
        if (noWait)
        {
            Console.WriteLine(json ? JsonSerializer.Serialize(started, ApiClient.Json) : DeployWatcher.Title(started) + " accepted");
            return 0;
        }
        var done = await new DeployWatcher(api, json ? TextWriter.Null : Console.Out).WatchAsync(started, ct);
        if (json)
            Console.WriteLine(JsonSerializer.Serialize(done, ApiClient.Json));
        return (rollingBackADeploy ? done.State == DeployState.RolledBack : DeployWatcher.IsSuccess(done)) ? 0 : 1;
    }
}
