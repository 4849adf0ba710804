using System.Collections.Concurrent;
using Crossfade.Core.Specs;
using Crossfade.Server.Storage;

namespace Crossfade.Server.Telemetry;

/// <summary>
/// Apps' parsed specs for the ingest path: the stored row is read each time (a primary-key lookup),
/// the YAML is parsed again only when the app was applied since.
/// </summary>
public sealed class AppSpecs(IStore store)
{
    private readonly ConcurrentDictionary<string, (DateTimeOffset UpdatedAt, AppSpec? Spec)> _parsed = new(StringComparer.Ordinal);

    public async Task<AppSpec?> GetAsync(string app, CancellationToken ct)
    {
        if (await store.GetAppAsync(app, ct) is not { } record)
            return null;
        if (_parsed.TryGetValue(app, out var cached) && cached.UpdatedAt == record.UpdatedAt)
            return cached.Spec;
        var spec = AppSpecParser.Parse(record.SpecYaml).Spec;
        _parsed[app] = (record.UpdatedAt, spec);
        return spec;
    }
}
