namespace Crossfade.Server.Telemetry;

/// <summary>Thresholds of the telemetry's detection.</summary>
public sealed class TelemetryOptions
{
    public TimeSpan SpikeWindow { get; set; } = TimeSpan.FromSeconds(60);
    public double SpikeRate { get; set; } = 0.05;
    public int SpikeMinErrors { get; set; } = 5;
    public TimeSpan SpikeCooldown { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How far back a fingerprint's usual rate is measured.</summary>
    public TimeSpan FingerprintBaseline { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How many times its usual rate a fingerprint must come to be a spike.</summary>
    public double FingerprintSpikeFactor { get; set; } = 5;

    /// <summary>How many fingerprints' counts are kept in memory (the least recently seen go first).</summary>
    public int FingerprintsTracked { get; set; } = 10_000;

    /// <summary>How long raw access records and log lines are kept.</summary>
    public TimeSpan RawRetention { get; set; } = TimeSpan.FromDays(7);

    /// <summary>How long per-minute request rollups are kept.</summary>
    public TimeSpan RollupRetention { get; set; } = TimeSpan.FromDays(400);

    /// <summary>Over this many bytes of data, raw rows are kept for less time until the store fits.</summary>
    public long MaxStoreBytes { get; set; } = 20L << 30;

    public TimeSpan RetentionEvery { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How many events and log lines wait for an exporter before the oldest are dropped.</summary>
    public int ExportEventQueue { get; set; } = 10_000;
    public int ExportLogQueue { get; set; } = 100_000;
}
