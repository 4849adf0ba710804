namespace Crossfade.Agent.Proxy.Tls;

/// <summary>How one app's requests are treated about HTTPS, as the relay reads it on every request.</summary>
public sealed record HttpsPolicy(bool RedirectHttps, string? Hsts)
{
    public static readonly HttpsPolicy None = new(false, null);

    public static HttpsPolicy From(HttpsSettings? settings) =>
        settings is null ? None : new(settings.RedirectHttps, settings.Hsts);
}
