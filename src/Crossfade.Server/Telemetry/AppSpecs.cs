using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using Crossfade.Core.Specs;
using Crossfade.Server.Storage;

namespace Crossfade.Server.Telemetry;

/// <summary>
/// Apps' parsed specs for the ingest path: the stored row is read each time (a primary-key lookup),
/// the YAML is parsed again (and the error patterns compiled) only when the app was applied since.
/// </summary>
public sealed class AppSpecs(IStore store)
{
    public static readonly TimeSpan PatternTimeout = TimeSpan.FromMilliseconds(50);
    private static readonly Regex[] NoPatterns = [];
    private readonly ConcurrentDictionary<string, Parsed> _parsed = new(StringComparer.Ordinal);

    private sealed record Parsed(DateTimeOffset UpdatedAt, AppSpec? Spec, Regex[] ErrorPatterns);

    public async Task<AppSpec?> GetAsync(string app, CancellationToken ct) => (await ParsedAsync(app, ct))?.Spec;

    /// <summary>The spec's <c>logs.error_patterns</c>, compiled: a line matching one is an error whatever its level.</summary>
    public async Task<Regex[]> ErrorPatternsAsync(string app, CancellationToken ct) => (await ParsedAsync(app, ct))?.ErrorPatterns ?? NoPatterns;

    /// <summary>The parsed spec of an app row already read (a page listing every app reads them in one query).</summary>
    public AppSpec? Of(AppRecord record) => Parse(record).Spec;

    private async Task<Parsed?> ParsedAsync(string app, CancellationToken ct) =>
        await store.GetAppAsync(app, ct) is { } record ? Parse(record) : null;

    private Parsed Parse(AppRecord record)
    {
        var app = record.Name;
        if (_parsed.TryGetValue(app, out var cached) && cached.UpdatedAt == record.UpdatedAt)
            return cached;
        var spec = AppSpecParser.Parse(record.SpecYaml).Spec;
        var patterns = spec?.LogSettings.ErrorPatterns.Select(p => new Regex(p, RegexOptions.CultureInvariant, PatternTimeout)).ToArray() ?? NoPatterns;
        return _parsed[app] = new Parsed(record.UpdatedAt, spec, patterns);
    }
}
