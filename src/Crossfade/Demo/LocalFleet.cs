using System.Diagnostics;
using Crossfade.Agent.Hosting;
using Crossfade.Agent.Instances;
using Crossfade.Cli;

namespace Crossfade.Demo;

/// <summary>A host of a local fleet: its name, roles and the public port of its proxy.</summary>
public sealed record LocalHost(string Name, string Roles, int ProxyPort);

/// <summary>
/// A server and several agents, each its own <c>crossfade</c> process with its own root and ports, on
/// this machine: the demo's fleet, and the tests' and benchmarks'. Disposing it stops every process it
/// started, and every process those agents started.
/// </summary>
public sealed class LocalFleet : IAsyncDisposable
{
    private readonly Dictionary<string, Process> _agents = new(StringComparer.Ordinal);
    private readonly IReadOnlyList<string> _self = SelfCommand.Get();
    private readonly List<Process> _otherServers = [];
    private Process? _server;

    private LocalFleet(string dir, IReadOnlyList<LocalHost> hosts, int serverPort)
    {
        Dir = dir;
        Hosts = hosts;
        ServerPort = serverPort;
    }

    public string Dir { get; }
    public IReadOnlyList<LocalHost> Hosts { get; }
    public int ServerPort { get; }
    public string ServerUrl => $"http://127.0.0.1:{ServerPort}";
    public string AdminToken { get; private set; } = "";
    public ApiClient Api { get; private set; } = null!;

    public string AgentRoot(string host) => Path.Combine(Dir, "hosts", host);

    /// <summary>Options the server is started with besides its data folder and address (a test's short lease, say).</summary>
    public IReadOnlyList<string> ServerArgs { get; private set; } = [];

    /// <summary>Options every agent is started with besides its name, roles, root and ports (a test's short backoff, say).</summary>
    public IReadOnlyList<string> AgentArgs { get; private set; } = [];

    public static async Task<LocalFleet> StartAsync(
        string dir, IEnumerable<(string Name, string Roles)> hosts, CancellationToken ct, string trigger = "demo",
        IReadOnlyList<string>? serverArgs = null, IReadOnlyList<string>? agentArgs = null)
    {
        await StopLeftoversAsync(dir);
        if (Directory.Exists(dir))
            Directory.Delete(dir, recursive: true);
        Directory.CreateDirectory(Path.Combine(dir, "logs"));
        var fleet = new LocalFleet(Path.GetFullPath(dir), hosts.Select(h => new LocalHost(h.Name, h.Roles, FreePorts.BelowEphemeral())).ToList(), FreePorts.BelowEphemeral())
        {
            ServerArgs = serverArgs ?? [],
            AgentArgs = agentArgs ?? [],
        };
        try
        {
            await fleet.StartServerAsync(ct);
            fleet.Api = new ApiClient(fleet.ServerUrl, fleet.AdminToken, trigger);
            foreach (var host in fleet.Hosts)
            {
                var token = await fleet.Api.CreateTokenAsync("enroll", host.Name, ct);
                fleet.StartAgent(host, token.Token);
            }
            await fleet.WaitForHostsAsync(ct);
            return fleet;
        }
        catch
        {
            await fleet.DisposeAsync();
            throw;
        }
    }

    public async Task StartServerAsync(CancellationToken ct)
    {
        _server = await LaunchServerAsync(ServerPort, ServerArgs, "server.log", ct);
        AdminToken = (await File.ReadAllTextAsync(Path.Combine(Dir, "server", "admin.token"), ct)).Trim();
    }

    /// <summary>
    /// Starts one more server process on the same data folder (as several replicas share one store) with
    /// <paramref name="args"/> (not <see cref="ServerArgs"/>), on a free port or on <paramref name="port"/>
    /// (the first server's, once it is dead: a replica behind the same address); returns its URL. It is
    /// stopped with the fleet.
    /// </summary>
    public async Task<string> StartAnotherServerAsync(IReadOnlyList<string> args, CancellationToken ct, int? port = null)
    {
        var on = port ?? FreePorts.BelowEphemeral();
        _otherServers.Add(await LaunchServerAsync(on, args, $"server-{on}.log", ct));
        return $"http://127.0.0.1:{on}";
    }

    private async Task<Process> LaunchServerAsync(int port, IReadOnlyList<string> args, string log, CancellationToken ct)
    {
        var url = $"http://127.0.0.1:{port}";
        var server = Launch(["server", "--data", Path.Combine(Dir, "server"), "--urls", url, .. args], Path.Combine(Dir, "logs", log));
        using var http = new HttpClient();
        for (var i = 0; i < 300; i++)
        {
            try
            {
                if ((await http.GetAsync($"{url}/healthz", ct)).IsSuccessStatusCode)
                    return server;
            }
            catch (HttpRequestException)
            {
            }
            if (server.HasExited)
                break;
            await Task.Delay(100, ct);
        }
        throw new InvalidOperationException($"the server did not start; see {Path.Combine(Dir, "logs", log)}");
    }

    /// <remarks><paramref name="serverUrl"/> lets a test put something between this agent and the server.</remarks>
    public void StartAgent(LocalHost host, string? enrollToken = null, string? serverUrl = null)
    {
        var args = new List<string> { "agent", "--server", serverUrl ?? ServerUrl, "--name", host.Name, "--roles", host.Roles, "--root", AgentRoot(host.Name), "--proxy-port", host.ProxyPort.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        if (enrollToken is not null)
            args.AddRange(["--token", enrollToken]);
        args.AddRange(AgentArgs);
        _agents[host.Name] = Launch(args, Path.Combine(Dir, "logs", $"{host.Name}.log"));
    }

    /// <summary>What a host's agent runs for an app, as it last saved it (state.json is replaced atomically).</summary>
    public AppState? AppStateOf(string host, string app = "gear-shop") =>
        HostState.Load(Path.Combine(AgentRoot(host), "state.json")).Apps.GetValueOrDefault(app);

    /// <summary>
    /// The release each web host's proxy serves, as the app reports it in X-App-Version, in host order;
    /// "HTTP n" when it answered without one, "no answer" when it did not answer.
    /// </summary>
    public async Task<IReadOnlyList<string>> ServedVersionsAsync()
    {
        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(5) };
        var served = new List<string>();
        foreach (var host in Hosts.Where(h => h.Roles.Contains("web")))
        {
            try
            {
                using var response = await http.GetAsync($"http://127.0.0.1:{host.ProxyPort}/version");
                served.Add(response.Headers.TryGetValues("X-App-Version", out var v) ? v.Single() : $"HTTP {(int)response.StatusCode}");
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                served.Add("no answer");
            }
        }
        return served;
    }

    /// <summary>The PID of a host's agent process.</summary>
    public int AgentPid(string name) => _agents[name].Id;

    /// <summary>Kills an agent process outright (SIGKILL), as a crash would.</summary>
    public void KillAgent(string name)
    {
        if (_agents.Remove(name, out var process) && !process.HasExited)
        {
            process.Kill();
            process.WaitForExit(5000);
        }
    }

    /// <summary>CPU time the server process has used so far, to tell its share of a deploy's work.</summary>
    public TimeSpan ServerCpu
    {
        get
        {
            _server!.Refresh();
            return _server.TotalProcessorTime;
        }
    }

    /// <summary>The server process's peak resident memory (VmHWM), in bytes.</summary>
    public long ServerPeakRssBytes =>
        File.ReadLines($"/proc/{_server!.Id}/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal)) is { } line
            ? long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) * 1024
            : 0;

    /// <summary>Kills the server process outright (SIGKILL).</summary>
    public void KillServer()
    {
        if (_server is { HasExited: false })
        {
            _server.Kill();
            _server.WaitForExit(5000);
        }
    }

    public async Task WaitForHostsAsync(CancellationToken ct)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(60))
        {
            var online = (await Api.HostsAsync(ct)).Where(h => h.Online).Select(h => h.Name).ToHashSet();
            if (Hosts.All(h => online.Contains(h.Name)))
                return;
            await Task.Delay(200, ct);
        }
        throw new TimeoutException($"not every agent enrolled within 60s; see the logs in {Path.Combine(Dir, "logs")}");
    }

    private Process Launch(IEnumerable<string> args, string logPath)
    {
        var info = new ProcessStartInfo(_self[0]) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in _self.Skip(1).Concat(args))
            info.ArgumentList.Add(a);
        var process = Process.Start(info)!;
        var log = new StreamWriter(new FileStream(logPath, FileMode.Append, FileAccess.Write, FileShare.ReadWrite)) { AutoFlush = true };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    /// <summary>Stops processes a previous run in the same folder left behind (after a crash of the demo itself).</summary>
    private static async Task StopLeftoversAsync(string dir)
    {
        var hosts = Path.Combine(dir, "hosts");
        if (Directory.Exists(hosts))
            foreach (var root in Directory.GetDirectories(hosts))
                await AgentHost.StopEverythingAsync(root);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var name in _agents.Keys.ToList())
            KillAgent(name);
        foreach (var host in Hosts)
            await AgentHost.StopEverythingAsync(AgentRoot(host.Name));
        foreach (var server in _otherServers.Append(_server).OfType<Process>().Where(s => !s.HasExited))
        {
            server.Kill();
            await server.WaitForExitAsync();
        }
    }
}
