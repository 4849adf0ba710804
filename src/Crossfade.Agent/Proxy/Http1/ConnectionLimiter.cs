using System.Net;

namespace Crossfade.Agent.Proxy.Http1;

/// <summary>
/// Counts open client connections, in all and per client address, and says whether one more may
/// open: past <see cref="ProxyOptions.MaxConnections"/> or <see cref="ProxyOptions.MaxConnectionsPerClient"/>
/// a new connection is refused at once, so one client (or a flood) cannot take every socket from the rest.
/// A client is an IPv4 address, or an IPv6 /64: one host is commonly given a whole /64, and counting
/// its addresses one by one would let it open 256 connections from each of them.
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

    /// <summary>Takes a place for a connection from <paramref name="address"/>; false (and counted) when there is none.</summary>
    public bool TryEnter(IPAddress address)
    {
        var client = ClientOf(address);
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

    public void Leave(IPAddress address)
    {
        var client = ClientOf(address);
        lock (_lock)
        {
            _open--;
            if (_perClient.TryGetValue(client, out var mine) && mine > 1)
                _perClient[client] = mine - 1;
            else
                _perClient.Remove(client);
        }
    }

    /// <summary>The client an address counts as: an IPv4 address (also when mapped into IPv6) as it is, an IPv6 address by its /64.</summary>
    internal static IPAddress ClientOf(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
            return address.MapToIPv4();
        if (address.AddressFamily != System.Net.Sockets.AddressFamily.InterNetworkV6)
            return address;
        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out _);
        bytes[8..].Clear();
        return new IPAddress(bytes);
    }
}
