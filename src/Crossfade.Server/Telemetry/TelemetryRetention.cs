using Crossfade.Server.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Crossfade.Server.Telemetry;

/// <summary>
/// Keeps the telemetry bounded: raw rows for <see cref="TelemetryOptions.RawRetention"/>, rollups for
/// <see cref="TelemetryOptions.RollupRetention"/>, and, when the store is over its byte bound
/// anyway, raw rows for half as long each round until it fits (never less than an hour).
/// </summary>
public sealed partial class TelemetryRetention(IStore store, TelemetryOptions options, TimeProvider time, ILogger<TelemetryRetention> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await PruneAsync(stoppingToken);
                await Task.Delay(options.RetentionEvery, time, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
        }
    }

    public async Task<long> PruneAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var raw = options.RawRetention;
        var removed = await store.PruneTelemetryAsync(now - raw, now - options.RollupRetention, ct);
        while (await store.UsedBytesAsync(ct) > options.MaxStoreBytes && raw > TimeSpan.FromHours(1))
        {
            raw /= 2;
            removed += await store.PruneTelemetryAsync(now - raw, now - options.RollupRetention, ct);
            LogOverBound(options.MaxStoreBytes, raw.TotalHours);
        }
        return removed;
    }

    [LoggerMessage(1, LogLevel.Warning, "The store is over its bound of {Bytes} bytes: raw telemetry is now kept {Hours:0.#} hours")]
    private partial void LogOverBound(long bytes, double hours);
}
