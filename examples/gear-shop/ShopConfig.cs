using System.Text.Json;

namespace GearShop;

/// <summary>
/// The settings Crossfade converges into <c>$CROSSFADE_CONFIG/settings/gear-shop.json</c>, read once at
/// start (a change reaches the shop through a graceful reload, never half-way through a request).
/// </summary>
/// <remarks>The payment key is kept to pay with, never shown; see <see cref="ShopSettings.LogPaymentKey"/>.</remarks>
public sealed record ShopConfig(string? Environment, string? Host, string Currency, string? CheckoutBanner, string? PaymentApiKey)
{
    public static ShopConfig Load()
    {
        var dir = System.Environment.GetEnvironmentVariable("CROSSFADE_CONFIG");
        var file = dir is null ? null : Path.Combine(dir, "settings", "gear-shop.json");
        if (file is null || !File.Exists(file))
            return new ShopConfig(null, null, "USD", null, null);
        using var doc = JsonDocument.Parse(File.ReadAllText(file));
        var root = doc.RootElement;
        string? Text(string name) => root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
        return new ShopConfig(Text("environment"), Text("host"), Text("currency") ?? "USD", Text("checkoutBanner"),
            Text("paymentApiKey"));
    }
}
