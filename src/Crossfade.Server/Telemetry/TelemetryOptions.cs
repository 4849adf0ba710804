namespace Crossfade.Server.Telemetry;

/// <summary>Thresholds of the telemetry's detection.</summary>
public sealed class TelemetryOptions
{
    public TimeSpan SpikeWindow { get; set; } = TimeSpan.FromSeconds(60);
    public double SpikeRate { get; set; } = 0.05;
    public int SpikeMinErrors { get; set; } = 5;
    public TimeSpan SpikeCooldown { get; set; } = TimeSpan.FromMinutes(5);
}
