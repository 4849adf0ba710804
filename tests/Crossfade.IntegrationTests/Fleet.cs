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

    public static async Task<Fleet> StartAsync(string name, int bakeSeconds = 0)
    {
        var dir = Path.Combine(Path.GetTempPath(), "cf-it", name);
        var hosts = new[] { ("web-1", "web"), ("web-2", "web"), ("worker-1", "worker,migrator") };
        var local = await LocalFleet.StartAsync(dir, hosts, CancellationToken.None, "cli");
        var build = await GearShopReleases.BuildAsync(TextWriter.Null, CancellationToken.None);
        var secret = await GearShopReleases.ApplyAsync(local.Api, GearShopReleases.Spec(Path.Combine(dir, "shop-db", "shop.db"), Env, local.Hosts).Replace("timeout_seconds: 30", "timeout_seconds: 8")
            .Replace("\nkeep_releases:", $"\nbake_seconds: {bakeSeconds}\nkeep_releases:"), CancellationToken.None);
        return new Fleet(local, build, secret);
    }

    public Task PushAsync(string version, params string[] knobs) =>
        GearShopReleases.PushAsync(Api, Build, Path.Combine(Local.Dir, "releases"), version, "abc123", $"release {version}", CancellationToken.None, knobs);

    public async Task<Contracts.V1.DeployView> DeployAsync(string version) =>
        await new Cli.DeployWatcher(Api, TextWriter.Null).WatchAsync(await Api.DeployAsync(App, Env, version, CancellationToken.None), CancellationToken.None);

    public async Task<Contracts.V1.DeployView> RollbackAsync() =>
        await new Cli.DeployWatcher(Api, TextWriter.Null).WatchAsync(await Api.RollbackAsync(App, Env, CancellationToken.None), CancellationToken.None);

    /// <summary>The version each web host's proxy serves, as gear-shop itself reports it.</summary>
    public Task<IReadOnlyList<string>> ServedVersionsAsync() => Local.ServedVersionsAsync();

    /// <summary>Waits until the deploy is in <paramref name="state"/>; fails if it ends first or takes a minute.</summary>
    public async Task<Contracts.V1.DeployView> WaitForStateAsync(long id, string state)
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
