using System.Net;

namespace Crossfade.Agent.Proxy.Http1;

/// <summary>
/// Counts open client connections, in all and per client address, and says whether one more may
/// open: past <see cref="ProxyOptions.MaxConnections"/> or <see cref="ProxyOptions.MaxConnectionsPerClient"/>
/// a new connection is refused at once, so one client (or a flood) cannot take every socket from the rest.
/// </summary>
internal sealed class ConnectionLimiter(ProxyOptions options, ProxyCounters counters)
{
    private readonly Dictionary<IPAddress, int> _perClient = [];
    private readonly Lock _lock = new();
    private int _open;

    public int Open
    {
        get
        {
            lock (_lock)
                return _open;
        }
    }

    /// <summary>Takes a place for a connection from <paramref name="client"/>; false (and counted) when there is none.</summary>
    public bool TryEnter(IPAddress client)
    {
        lock (_lock)
        {
            if (_open >= options.MaxConnections)
            {
                counters.ProxyCapHit();
                return false;
            }
            var mine = _perClient.GetValueOrDefault(client);
            if (mine >= options.MaxConnectionsPerClient)
            {
                counters.ClientCapHit();
                return false;
            }
            _perClient[client] = mine + 1;
            _open++;
            return true;
        }
    }

    public void Leave(IPAddress client)
    {
        lock (_lock)
        {
            _open--;
            if (_perClient.TryGetValue(client, out var mine) && mine > 1)
                _perClient[client] = mine - 1;
            else
                _perClient.Remove(client);
        }
    }
}
