using System.CommandLine;
using Crossfade.Cli;
using Crossfade.Core.Naming;
using Crossfade.Hosts;

namespace Crossfade.Commands;

/// <summary>
/// <c>crossfade host add|upgrade|remove</c>: sets up a host over SSH and waits until its agent is online, has
/// agents take the server's binary, takes a host out of service.
/// </summary>
public static class HostCommands
{
    private static readonly string[] KnownRoles = ["web", "worker", "migrator", "builder"];

    private static bool PlainChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '/' or '.' or '_' or '-';

    public static Command Create() => new("host", "hosts added over SSH, their agents upgraded, hosts removed") { Add(), Upgrade(), Remove() };

    private static Command Upgrade()
    {
        var names = new Argument<string[]>("names") { Arity = ArgumentArity.ZeroOrMore, Description = "the hosts to upgrade" };
        var all = new Option<bool>("--all") { Description = "every enrolled host" };
        var command = new Command("upgrade", "have hosts' agents take the server's binary and restart (their proxies and instances serve on)") { names, all };
        command.SetAction((parse, ct) => Globals.Guard(async () =>
        {
            var api = Globals.Client(parse);
            var chosen = parse.GetValue(all) ? (await api.HostsAsync(ct)).Select(h => h.Name).ToArray() : parse.GetValue(names) ?? [];
            if (chosen.Length == 0)
                throw new ArgumentException("name the hosts to upgrade, or --all");
            var failed = await new HostUpgrade(api, Console.Out, TimeProvider.System).RunAsync(chosen, ct);
            return failed == 0 ? 0 : 1;
        }));
        return command;
    }

    /// <summary>Runs a host's steps: says how many changed something, or why it stopped (exit 1).</summary>
    private static async Task<int> StepsAsync(string host, Func<Task<int>> steps)
    {
        try
        {
            var changed = await steps();
            Console.WriteLine(changed == 0 ? $"{host}: nothing to change" : $"{host}: {changed} change(s) made");
            return 0;
        }
        catch (HostStepException e)
        {
            await Console.Error.WriteLineAsync($"error: {e.Message}");
            return 1;
        }
    }

    private static string UserOf(string account) =>
        FolderNames.IsName(account) ? account : throw new ArgumentException($"--user '{account}' is not a user name");

    private static string PrefixOf(string? prefix)
    {
        var root = prefix?.TrimEnd('/') ?? "";
        if (root.Length > 0 && (!root.StartsWith('/') || root.Contains("..", StringComparison.Ordinal) || !root.All(PlainChar)))
            throw new ArgumentException($"--prefix '{root}' must be an absolute folder of letters, digits and / . _ -");
        return root;
    }

    private static Command Remove()
    {
        var name = new Argument<string>("name") { Description = "the host's name in Crossfade" };
        var ssh = new Option<string?>("--ssh") { Description = "user@address[:port] of the host, to stop its agent there (without it only the server forgets the host)" };
        var identity = new Option<string?>("--identity") { Description = "the SSH private key (default: ssh's own choice, or the SSH agent)" };
        var knownHosts = new Option<string?>("--known-hosts") { Description = "the known-hosts file to check the host's key against" };
        var stopServing = new Option<bool>("--stop-serving") { Description = "stop the host's proxy and app instances too (by default they keep serving)" };
        var purge = new Option<bool>("--purge") { Description = "with --stop-serving: remove the agent's binary, releases, state and logs from the host" };
        var user = new Option<string>("--user") { DefaultValueFactory = _ => "crossfade", Description = "the system user the agent ran as" };
        var prefix = new Option<string?>("--prefix") { Description = "the --prefix the host was added with" };
        var command = new Command("remove", "take a host out of service: stop its agent (and, when asked, its proxy and instances), revoke its tokens, forget it on the server")
        {
            name, ssh, identity, knownHosts, stopServing, purge, user, prefix,
        };
        command.SetAction((parse, ct) => Globals.Guard(async () =>
        {
            var host = parse.GetValue(name)!;
            if (!FolderNames.IsName(host))
                throw new ArgumentException($"'{host}' is not a host name: {FolderNames.NameRule}");
            var choices = new HostRemoval.Choices(parse.GetValue(stopServing), parse.GetValue(purge));
            if (choices.Purge && (!choices.StopServing || parse.GetValue(ssh) is null))
                throw new ArgumentException("--purge removes the files the proxy and instances run from: it needs --ssh and --stop-serving");
            if (choices.StopServing && parse.GetValue(ssh) is null)
                throw new ArgumentException("--stop-serving needs --ssh: the processes run on the host");
            var plan = new HostPlan(host, [], "", null, UserOf(parse.GetValue(user)!), PrefixOf(parse.GetValue(prefix)));
            var api = Globals.Client(parse);
            using var link = parse.GetValue(ssh) is { } target ? new SshLink(SshTarget.Parse(target), parse.GetValue(identity), parse.GetValue(knownHosts)) : null;
            Console.WriteLine($"removing {host}{(link is null ? "" : $" at {link.Target}")}");
            return await StepsAsync(host, () => new HostRemoval(api, link, plan, choices, Console.Out).RunAsync(ct));
        }));
        return command;
    }

    private static Command Add()
    {
        var name = new Argument<string>("name") { Description = "the host's name in Crossfade (the spec's hosts use it)" };
        var ssh = new Option<string>("--ssh") { Required = true, Description = "user@address[:port]: a root login, or a user with passwordless sudo" };
        var roles = new Option<string>("--roles") { DefaultValueFactory = _ => "web", Description = "comma-separated: web, worker, migrator, builder" };
        var identity = new Option<string?>("--identity") { Description = "the SSH private key (default: ssh's own choice, or the SSH agent)" };
        var knownHosts = new Option<string?>("--known-hosts") { Description = "the known-hosts file to check the host's key against (a new host's key is accepted once)" };
        var serverUrl = new Option<string?>("--server-url") { Description = "the server's address as the host reaches it (default: the one this command talks to)" };
        var proxyPort = new Option<int?>("--proxy-port") { Description = "the public port of the host's proxy: checked free, and given to the agent" };
        var user = new Option<string>("--user") { DefaultValueFactory = _ => "crossfade", Description = "the system user the agent runs as (created when missing)" };
        var prefix = new Option<string?>("--prefix") { Description = "install under this folder instead of / (then a supervised loop, never systemd, keeps the agent)" };
        var command = new Command("add", "set up a host over SSH: check it, add the agent's user, folders, binary and service, enroll it, wait until it is online")
        {
            name, ssh, roles, identity, knownHosts, serverUrl, proxyPort, user, prefix,
        };
        command.SetAction((parse, ct) => Globals.Guard(async () =>
        {
            var host = parse.GetValue(name)!;
            if (!FolderNames.IsName(host))
                throw new ArgumentException($"'{host}' is not a host name: {FolderNames.NameRule}");
            var roleList = parse.GetValue(roles)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (roleList.Length == 0 || roleList.Any(r => !KnownRoles.Contains(r)))
                throw new ArgumentException($"--roles: '{string.Join(',', roleList)}' must name roles among {string.Join(", ", KnownRoles)}");
            var (account, root) = (UserOf(parse.GetValue(user)!), PrefixOf(parse.GetValue(prefix)));
            var api = Globals.Client(parse);
            var server = parse.GetValue(serverUrl) ?? api.BaseAddress.ToString().TrimEnd('/');
            // The address goes into a unit file and a shell script: nothing in it may mean anything to either.
            if (!Uri.TryCreate(server, UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http") || !server.All(c => PlainChar(c) || c is ':' or '[' or ']'))
                throw new ArgumentException($"--server-url '{server}' must be the server's http(s) address as the host reaches it, e.g. https://10.0.0.2:7400");
            var plan = new HostPlan(host, roleList, server, parse.GetValue(proxyPort), account, root);
            using var link = new SshLink(SshTarget.Parse(parse.GetValue(ssh)!), parse.GetValue(identity), parse.GetValue(knownHosts));
            Console.WriteLine($"adding {host} ({string.Join(',', roleList)}) at {link.Target}");
            return await StepsAsync(host, () => new HostInstaller(api, link, plan, Console.Out, TimeProvider.System).RunAsync(ct));
        }));
        return command;
    }
}
