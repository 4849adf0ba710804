using System.Net.Http.Json;
using Crossfade.Contracts.V1;
using Crossfade.Demo;

namespace Crossfade.IntegrationTests;

/// <summary>
/// A real fleet for one test: a crossfade server process and agent processes (two web hosts and a
/// worker+migrator), gear-shop applied, with helpers to push releases of it.
/// </summary>
public sealed class Fleet : IAsyncDisposable
{
    public const string App = "gear-shop";
    public const string Env = "production";

    private Fleet(LocalFleet local, string build, string secret)
    {
        Local = local;
        Build = build;
        Secret = secret;
    }

    /// <summary>The payment key set as gear-shop's secret: it must reach the hosts' config and appear nowhere else.</summary>
    public string Secret { get; }

    public LocalFleet Local { get; }
    public string Build { get; }
    public Cli.ApiClient Api => Local.Api;
    public IEnumerable<LocalHost> WebHosts => Local.Hosts.Where(h => h.Roles.Contains("web"));

    public static async Task<Fleet> StartAsync(string name, int bakeSeconds = 0, IReadOnlyList<string>? serverArgs = null, IReadOnlyList<string>? agentArgs = null)
    {
        var dir = Path.Combine(Path.GetTempPath(), "cf-it", name);
        var hosts = new[] { ("web-1", "web"), ("web-2", "web"), ("worker-1", "worker,migrator") };
        var local = await LocalFleet.StartAsync(dir, hosts, CancellationToken.None, "cli", serverArgs, agentArgs);
        var build = await GearShopReleases.BuildAsync(TextWriter.Null, CancellationToken.None);
        var secret = await GearShopReleases.ApplyAsync(local.Api, Tuned(GearShopReleases.Spec(Path.Combine(dir, "shop-db", "shop.db"), Env, local.Hosts))
            .Replace("\nkeep_releases:", $"\nbake_seconds: {bakeSeconds}\nkeep_releases:"), CancellationToken.None);
        return new Fleet(local, build, secret);
    }

    /// <summary>
    /// gear-shop's spec with shorter waits for a test: an 8 s health timeout, and a new worker trusted
    /// after 0.2 s up instead of 1 s (a worker that exits at once still fails its activate).
    /// </summary>
    private static string Tuned(string spec) =>
        spec.Replace("timeout_seconds: 30", "timeout_seconds: 8").Replace("\nkeep_releases:", "\nworker_settle_seconds: 0.2\nkeep_releases:");

    /// <summary>The spec this fleet applied, with <paramref name="edit"/> made to it, applied again (the secret stays).</summary>
    public async Task ReapplyAsync(Func<string, string> edit)
    {
        var spec = Tuned(GearShopReleases.Spec(Path.Combine(Local.Dir, "shop-db", "shop.db"), Env, Local.Hosts));
        await Api.ApplyAsync(edit(spec), "crossfade.yml", CancellationToken.None);
    }

    /// <summary>Pushes a release whose folder <paramref name="edit"/> changed first (its config, say).</summary>
    public async Task PushEditedAsync(string version, Action<string> edit)
    {
        var folder = GearShopReleases.Make(Build, Path.Combine(Local.Dir, "releases"), version);
        edit(folder);
        await using var archive = new MemoryStream();
        Core.Artifacts.ArchivePacker.Pack(folder, archive);
        archive.Position = 0;
        await Api.PushReleaseAsync(App, version, "abc123", $"release {version}", archive, CancellationToken.None);
    }

    /// <summary>A file of a host's converged configuration, or null when it is not there.</summary>
    public string? ConfigFile(string host, string path)
    {
        var full = Path.Combine(Local.AgentRoot(host), "apps", App, "config", path);
        return File.Exists(full) ? File.ReadAllText(full) : null;
    }

    /// <summary>What gear-shop behind each web host's proxy says its converged configuration is.</summary>
    public async Task<IReadOnlyList<string>> ServedBannersAsync()
    {
        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false });
        var banners = new List<string>();
        foreach (var host in WebHosts)
        {
            var config = await http.GetFromJsonAsync<System.Text.Json.JsonElement>($"http://127.0.0.1:{host.ProxyPort}/config");
            banners.Add(config.GetProperty("checkoutBanner").GetString() ?? "");
        }
        return banners;
    }

    /// <summary>The longest a test waits for a deploy to end: one that hangs fails the test instead of the whole run.</summary>
    public static readonly TimeSpan DeployLimit = TimeSpan.FromMinutes(4);

    public async Task<Contracts.V1.DeployView> ConvergeAsync(bool whyRun) => await WatchAsync(await Api.ConvergeAsync(App, Env, whyRun, CancellationToken.None));

    /// <summary>Follows a deploy to its end, for at most <see cref="DeployLimit"/>.</summary>
    public async Task<Contracts.V1.DeployView> WatchAsync(Contracts.V1.DeployView started)
    {
        using var limit = new CancellationTokenSource(DeployLimit);
        return await new Cli.DeployWatcher(Api, TextWriter.Null).WatchAsync(started, limit.Token);
    }

    public Task PushAsync(string version, params string[] knobs) =>
        GearShopReleases.PushAsync(Api, Build, Path.Combine(Local.Dir, "releases"), version, "abc123", $"release {version}", CancellationToken.None, knobs);

    public async Task<Contracts.V1.DeployView> DeployAsync(string version) => await WatchAsync(await Api.DeployAsync(App, Env, version, CancellationToken.None));

    public async Task<Contracts.V1.DeployView> RollbackAsync() => await WatchAsync(await Api.RollbackAsync(App, Env, CancellationToken.None));

    /// <summary>
    /// Shopper traffic on the web hosts' proxies, <paramref name="shoppers"/> keep-alive connections
    /// (each its own cookies), bounded in time and count; started by its caller's <c>RunAsync</c>.
    /// </summary>
    public Load.TrafficGenerator Traffic(int shoppers, TimeSpan duration, int maxRequests) =>
        new(WebHosts.Select(h => new Uri($"http://127.0.0.1:{h.ProxyPort}")).ToList(), shoppers, duration, maxRequests);

    /// <summary>The version each web host's proxy serves, as gear-shop itself reports it.</summary>
    public Task<IReadOnlyList<string>> ServedVersionsAsync() => Local.ServedVersionsAsync();

    /// <summary>Waits until the deploy is in <paramref name="state"/>; fails if it ends first or takes a minute.</summary>
    public async Task<Contracts.V1.DeployView> WaitForStateAsync(long id, DeployState state)
    {
        for (var i = 0; i < 600; i++)
        {
            var d = await Api.GetDeployAsync(id, CancellationToken.None);
            if (d.State == state)
                return d;
            Cli.DeployWatcher.IsFinal(d.State).ShouldBeFalse($"deploy #{id} ended as {d.State} before reaching {state}: {d.Reason}");
            await Task.Delay(100);
        }
        throw new TimeoutException($"deploy #{id} never reached {state}");
    }

    public ValueTask DisposeAsync() => Local.DisposeAsync();
}
