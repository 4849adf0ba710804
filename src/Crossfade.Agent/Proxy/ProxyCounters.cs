namespace Crossfade.Agent.Proxy;

/// <summary>What the proxy turned away, since it started: read on the control port's <c>/stats</c>.</summary>
public sealed class ProxyCounters
{
    private long _refusedProxyCap;
    private long _refusedClientCap;
    private long _headTimeouts;
    private long _handshakeFailures;

    public long RefusedProxyCap => Interlocked.Read(ref _refusedProxyCap);
    public long RefusedClientCap => Interlocked.Read(ref _refusedClientCap);
    public long HeadTimeouts => Interlocked.Read(ref _headTimeouts);
    public long HandshakeFailures => Interlocked.Read(ref _handshakeFailures);

    public void ProxyCapHit() => Interlocked.Increment(ref _refusedProxyCap);
    public void ClientCapHit() => Interlocked.Increment(ref _refusedClientCap);
    public void HeadTimedOut() => Interlocked.Increment(ref _headTimeouts);
    public void HandshakeFailed() => Interlocked.Increment(ref _handshakeFailures);
}
