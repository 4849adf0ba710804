using System.Globalization;

namespace GearShop;

/// <summary>
/// The shop's settings: from the environment, overridden by a <c>gear-shop.env</c> file shipped inside
/// the release (so a release can carry its own behaviour, as a bad release does in the tests).
/// </summary>
public sealed record ShopSettings(
    string Version, string Database, int Port, double CheckoutErrorRate, int LatencyMs, bool FailHealth, bool MyFeature,
    int StartupDelayMs = 0, int MigrateDelayMs = 0, bool MigrateFails = false, string? Shared = null,
    bool LogPaymentKey = false, int FailChecksAfter = -1, string? SlowPath = null, int SlowMs = 0, string? ErrorLogPath = null, int CrashAfterSeconds = -1,
    IReadOnlySet<int>? FailingListings = null)
{
    public static ShopSettings Load(string releaseDir)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var key in new[] { "GEARSHOP_CHECKOUT_ERROR_RATE", "GEARSHOP_LATENCY_MS", "GEARSHOP_FAIL_HEALTH", "GEARSHOP_MY_FEATURE", "GEARSHOP_DATABASE", "GEARSHOP_STARTUP_DELAY_MS", "GEARSHOP_MIGRATE_DELAY_MS", "GEARSHOP_MIGRATE_FAIL" })
            if (Environment.GetEnvironmentVariable(key) is { } v)
                values[key] = v;
        var file = Path.Combine(releaseDir, "gear-shop.env");
        if (File.Exists(file))
            foreach (var line in File.ReadAllLines(file))
                if (line.Split('=', 2) is [var k, var val] && !line.TrimStart().StartsWith('#'))
                    values[k.Trim()] = val.Trim();
        var versionFile = Path.Combine(releaseDir, "VERSION");
        var version = File.Exists(versionFile) ? File.ReadAllText(versionFile).Trim()
            : Environment.GetEnvironmentVariable("CROSSFADE_RELEASE") ?? "dev";
        var shared = Environment.GetEnvironmentVariable("CROSSFADE_SHARED") ?? releaseDir;
        var database = values.GetValueOrDefault("GEARSHOP_DATABASE") ?? Path.Combine(shared, "data", "shop.db");
        var port = int.TryParse(Environment.GetEnvironmentVariable("PORT"), out var p) ? p : 5080;
        return new ShopSettings(version, database, port,
            double.TryParse(values.GetValueOrDefault("GEARSHOP_CHECKOUT_ERROR_RATE"), CultureInfo.InvariantCulture, out var rate) ? rate : 0,
            int.TryParse(values.GetValueOrDefault("GEARSHOP_LATENCY_MS"), out var ms) ? ms : 0,
            values.GetValueOrDefault("GEARSHOP_FAIL_HEALTH") == "1",
            values.GetValueOrDefault("GEARSHOP_MY_FEATURE") == "1",
            int.TryParse(values.GetValueOrDefault("GEARSHOP_STARTUP_DELAY_MS"), out var startup) ? startup : 0,
            int.TryParse(values.GetValueOrDefault("GEARSHOP_MIGRATE_DELAY_MS"), out var migrate) ? migrate : 0,
            values.GetValueOrDefault("GEARSHOP_MIGRATE_FAIL") == "1",
            shared,
            values.GetValueOrDefault("GEARSHOP_LOG_PAYMENT_KEY") == "1",
            int.TryParse(values.GetValueOrDefault("GEARSHOP_FAIL_CHECKS_AFTER"), out var checks) ? checks : -1,
            values.GetValueOrDefault("GEARSHOP_SLOW_PATH"),
            int.TryParse(values.GetValueOrDefault("GEARSHOP_SLOW_MS"), out var slow) ? slow : 0,
            values.GetValueOrDefault("GEARSHOP_ERROR_LOG_PATH"),
            int.TryParse(values.GetValueOrDefault("GEARSHOP_CRASH_AFTER_S"), out var crash) ? crash : -1,
            (values.GetValueOrDefault("GEARSHOP_FAILING_LISTINGS") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries)
                .Select(v => int.Parse(v, CultureInfo.InvariantCulture)).ToHashSet());
    }
}
