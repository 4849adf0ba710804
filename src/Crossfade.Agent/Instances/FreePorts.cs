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
