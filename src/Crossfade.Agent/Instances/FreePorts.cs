using System.Net;
using System.Net.Sockets;

namespace Crossfade.Agent.Instances;

/// <summary>Finds a free loopback port for a candidate instance.</summary>
public static class FreePorts
{
    public static int Next()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }

    private static readonly HashSet<int> Handed = [];

    /// <summary>
    /// A free port below the kernel's ephemeral range, for a listener that binds it later (a local fleet's
    /// proxies and server): the kernel hands ports out of that range to whoever asks for any free port
    /// (<see cref="Next"/>, every outgoing connection), so one chosen there could be taken by another
    /// process before it is bound. Never the same port twice in this process.
    /// </summary>
    public static int BelowEphemeral()
    {
        var top = EphemeralStart() - 1;
        var bottom = Math.Max(1025, top - 12_000);
        for (var attempt = 0; attempt < 1000; attempt++)
        {
            var port = Random.Shared.Next(bottom, top + 1);
            lock (Handed)
                if (Handed.Contains(port))
                    continue;
            try
            {
                using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                socket.Bind(new IPEndPoint(IPAddress.Loopback, port));
            }
            catch (SocketException)
            {
                continue;
            }
            lock (Handed)
                if (Handed.Add(port))
                    return port;
        }
        return Next();
    }

    private static int EphemeralStart()
    {
        try
        {
            var range = File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split((char[])['\t', ' '], StringSplitOptions.RemoveEmptyEntries);
            return int.TryParse(range[0], System.Globalization.CultureInfo.InvariantCulture, out var start) && start > 2048 ? start : 32768;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return 32768;
        }
    }

    /// <summary>
    /// A free port other than <paramref name="taken"/>: a port chosen but not bound yet (a proxy's public
    /// port) is free to the kernel, which may hand it out again.
    /// </summary>
    public static int NextExcept(int taken)
    {
        var port = Next();
        while (port == taken)
            port = Next();
        return port;
    }
}
