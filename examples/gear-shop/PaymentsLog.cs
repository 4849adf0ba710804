namespace GearShop;

/// <summary>
/// The payment gateway's own log, in the host's shared folder (<c>shared/data/payments.log</c>): one
/// plain line per charge that went wrong, with no level word, as gateway client libraries write
/// them. Crossfade follows it through the spec's <c>logs.files</c> and knows its lines for errors
/// by <c>logs.error_patterns</c>.
/// </summary>
public sealed class PaymentsLog(string path)
{
    private readonly Lock _lock = new();

    public static PaymentsLog In(ShopSettings settings)
    {
        var dir = Path.Combine(settings.Shared ?? ".", "data");
        Directory.CreateDirectory(dir);
        return new PaymentsLog(Path.Combine(dir, "payments.log"));
    }

    public void NotCharged(int listingId, string buyer, string version)
    {
        var line = $"{DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm:ss.fff} payment provider error: listing {listingId} for \"{buyer}\" not charged (release {version})\n";
        lock (_lock)
            File.AppendAllText(path, line);
    }
}
