using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Crossfade.Tests.Server.Notifications;

/// <summary>
/// A chat or webhook endpoint played on loopback: records every request (path, headers, body) and
/// answers 200 with <see cref="Answer"/>'s body (Slack's API answers JSON).
/// </summary>
internal sealed class RecordingListener : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private int _seq;

    public sealed record Request(string Method, string Path, IReadOnlyDictionary<string, string> Headers, byte[] Body)
    {
        public string Text => Encoding.UTF8.GetString(Body);
    }

    public ConcurrentQueue<Request> Requests { get; } = new();

    /// <summary>The body of each answer, given the request and its number.</summary>
    public Func<Request, int, string> Answer { get; set; } = (_, _) => "ok";

    public RecordingListener()
    {
        _listener.Start();
        _loop = Task.Run(AcceptAsync);
    }

    public string Url => $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            var stream = client.GetStream();
            while (await ReadRequestAsync(stream) is { } request)
            {
                Requests.Enqueue(request);
                var body = Encoding.UTF8.GetBytes(Answer(request, Interlocked.Increment(ref _seq)));
                var head = Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {body.Length}\r\n\r\n");
                await stream.WriteAsync(head);
                await stream.WriteAsync(body);
            }
        }
    }

    private static async Task<Request?> ReadRequestAsync(NetworkStream stream)
    {
        var line = await ReadLineAsync(stream);
        if (string.IsNullOrEmpty(line))
            return null;
        var parts = line.Split(' ');
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        while (await ReadLineAsync(stream) is { Length: > 0 } header)
        {
            var colon = header.IndexOf(':');
            headers[header[..colon].Trim()] = header[(colon + 1)..].Trim();
        }
        var length = headers.TryGetValue("Content-Length", out var l) ? int.Parse(l, System.Globalization.CultureInfo.InvariantCulture) : 0;
        var body = new byte[length];
        await stream.ReadExactlyAsync(body);
        return new Request(parts[0], parts[1], headers, body);
    }

    private static async Task<string?> ReadLineAsync(NetworkStream stream)
    {
        var bytes = new List<byte>();
        var one = new byte[1];
        while (await stream.ReadAsync(one) == 1)
        {
            if (one[0] == '\n')
                return Encoding.ASCII.GetString(bytes.ToArray()).TrimEnd('\r');
            bytes.Add(one[0]);
        }
        return bytes.Count == 0 ? null : Encoding.ASCII.GetString(bytes.ToArray());
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _loop;
        _stop.Dispose();
    }
}
