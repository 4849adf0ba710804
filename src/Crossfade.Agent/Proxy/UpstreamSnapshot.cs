using System.Net;

namespace Crossfade.Agent.Proxy;

/// <summary>An upstream (one app instance) and the client that reaches it. Immutable once built.</summary>
public sealed class UpstreamSnapshot : IDisposable
{
    private int _inFlight;

    public UpstreamSnapshot(Uri baseUri, string release, TimeSpan connectTimeout)
    {
        BaseUri = baseUri;
        Release = release;
        Invoker = new HttpMessageInvoker(new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            UseCookies = false,
            ConnectTimeout = connectTimeout,
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
            ActivityHeadersPropagator = null,
            EnableMultipleHttp2Connections = false,
        });
    }

    public Uri BaseUri { get; }

    public string Release { get; }

    public HttpMessageInvoker Invoker { get; }

    public int InFlight => Volatile.Read(ref _inFlight);

    public void Enter() => Interlocked.Increment(ref _inFlight);

    public void Exit() => Interlocked.Decrement(ref _inFlight);

    public void Dispose() => Invoker.Dispose();
}
