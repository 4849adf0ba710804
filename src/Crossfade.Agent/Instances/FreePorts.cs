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
}
