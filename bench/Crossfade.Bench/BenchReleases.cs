using Crossfade.Demo;

namespace Crossfade.Bench;

/// <summary>Applies gear-shop to a local fleet and pushes releases of it.</summary>
public sealed class BenchReleases(LocalFleet fleet, int healthTimeoutSeconds = 30)
{
    private string? _build;

    public async Task PushAsync(string version, params string[] knobs)
    {
        if (_build is null)
        {
            _build = await GearShopReleases.BuildAsync(Console.Out, default);
            var spec = GearShopReleases.Spec(Path.Combine(fleet.Dir, "shop-db", "shop.db"), "production", fleet.Hosts)
                .Replace("timeout_seconds: 30", $"timeout_seconds: {healthTimeoutSeconds}");
            await GearShopReleases.ApplyAsync(fleet.Api, spec, default);
        }
        await GearShopReleases.PushAsync(fleet.Api, _build, Path.Combine(fleet.Dir, "releases"), version, null, default, knobs);
    }
}
