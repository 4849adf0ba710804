namespace Crossfade.Agent.Proxy.Tls;

/// <summary>
/// The proxy's HTTPS port as it is now (none: null): set at start by <c>--tls-port</c>, moved, opened or closed
/// on the control port (<c>PUT /tls/port</c>) while the plain port serves on. Read by the redirect to HTTPS.
/// </summary>
public sealed class HttpsPort(int? port)
{
    private volatile int _port = port ?? 0;

    public int? Port => _port == 0 ? null : _port;

    internal void Set(int? port) => _port = port ?? 0;
}
