namespace Crossfade.Agent.Proxy.Http1;

/// <summary>The rest of a request body, relayed to the upstream by its own task while the answer is awaited.</summary>
internal readonly record struct BodyPump(Task Sending, CancellationTokenSource Cancel);

/// <summary>
/// A request body larger than what came with its head goes to the upstream while the proxy already
/// waits for the answer, so that an upstream answering early (a 413 for an upload too large, a 401)
/// is heard instead of reported as a failure to take the body.
/// </summary>
internal sealed partial class ClientConnection
{
    private static readonly TimeSpan LingerTime = TimeSpan.FromSeconds(5);
    private const long LingerBytes = 16 * 1024 * 1024;
    // The client may still be sending a body the proxy did not read: its connection closes gently.
    private bool _linger;
    // While a body is sent, the deadline is the answer timeout from the last piece that moved; the
    // pump moves it only from the value it set last, so once the answer's head is in it stays put.
    private long _bodyDeadline;
    private volatile Peer _bodyWaitsOn;
    private PeerException? _clientFailure;

    private BodyPump StartBody(SocketBuffer upstream, BodyFraming framing, long sent, ChunkedScanner? scanner)
    {
        _clientFailure = null;
        _bodyDeadline = Environment.TickCount64 + (long)options.UpstreamTimeout.TotalMilliseconds;
        Volatile.Write(ref _deadline, _bodyDeadline);
        var cancel = new CancellationTokenSource();
        return new BodyPump(SendBodyAsync(upstream, framing, sent, scanner, cancel.Token), cancel);
    }

    private async Task SendBodyAsync(SocketBuffer upstream, BodyFraming framing, long sent, ChunkedScanner? scanner, CancellationToken ct)
    {
        try
        {
            await BodyRelay.CopyAsync(_client, upstream, framing, unchunk: false, ct, sent, scanner, BodyWaits);
        }
        catch (PeerException ex) when (ex.Peer == Peer.Client && !ct.IsCancellationRequested)
        {
            // The client went away in the middle of its body: nobody waits for the answer any more.
            // (An upstream failing to take the body ends the wait by itself: its connection is broken,
            // and the answer it may have sent first is still read.)
            _clientFailure = ex;
            _timer.Cancel();
            throw;
        }
        // The upstream has the whole request: the answer timeout runs from now.
        BodyWaits(Peer.Upstream);
    }

    private void BodyWaits(Peer peer)
    {
        _bodyWaitsOn = peer;
        var next = Environment.TickCount64 + (long)options.UpstreamTimeout.TotalMilliseconds;
        if (Interlocked.CompareExchange(ref _deadline, next, _bodyDeadline) == _bodyDeadline)
            _bodyDeadline = next;
    }

    /// <summary>
    /// Why the wait for an answer ended while a body was on its way: the client left (rethrown), or
    /// the client stopped sending its body (a 408); otherwise the upstream was too slow.
    /// </summary>
    private void ThrowBodyFailure(BodyPump pump)
    {
        if (_clientFailure is { } failure)
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
        if (!pump.Sending.IsCompleted && _bodyWaitsOn == Peer.Client)
            throw new PeerException(Peer.Client, "the request body stopped arriving", new TimeoutException());
    }

    /// <summary>
    /// Whether the upstream answered before it had the whole body; if so the body stops. A client
    /// that failed in the middle of its body is rethrown: it is gone, and nobody is to be answered.
    /// </summary>
    private static async ValueTask<bool> AnsweredEarlyAsync(BodyPump pump)
    {
        if (pump.Sending.IsCompletedSuccessfully)
            return false;
        if (pump.Sending is { IsFaulted: true, Exception.InnerException: PeerException { Peer: Peer.Client } })
            await pump.Sending;
        await pump.Cancel.CancelAsync();
        try
        {
            await pump.Sending;
            return false;
        }
        catch (Exception ex) when (ex is OperationCanceledException or PeerException or ObjectDisposedException)
        {
            return true;
        }
    }

    /// <summary>Stops a body still being sent, at the end of an exchange; marks the connection to linger when the body did not all go.</summary>
    private async ValueTask EndBodyAsync(BodyPump pump)
    {
        if (!pump.Sending.IsCompleted)
        {
            await pump.Cancel.CancelAsync();
            try
            {
                await pump.Sending;
            }
            catch (Exception ex) when (ex is OperationCanceledException or PeerException or ObjectDisposedException)
            {
                // The exchange has failed already, for its own reason.
            }
        }
        if (!pump.Sending.IsCompletedSuccessfully)
            _linger = true;
        _ = pump.Sending.Exception;
        pump.Cancel.Dispose();
    }

    /// <summary>
    /// Closes a connection whose request body was not read to its end without losing the answer sent
    /// on it: the proxy stops sending and reads what the client still sends, for at most
    /// <see cref="LingerTime"/> and <see cref="LingerBytes"/>, so that the client's kernel does not
    /// reset the connection before the client read the answer.
    /// </summary>
    private async Task LingerAsync()
    {
        try
        {
            _client.Socket.Shutdown(System.Net.Sockets.SocketShutdown.Send);
            using var limit = new CancellationTokenSource(LingerTime, time);
            long read = 0;
            while (read < LingerBytes && await _client.FillAsync(limit.Token) > 0)
            {
                read += _client.Count;
                _client.Consume(_client.Count);
            }
        }
        catch (Exception ex) when (ex is PeerException or OperationCanceledException or ObjectDisposedException or System.Net.Sockets.SocketException)
        {
            // Done lingering: the connection closes either way.
        }
    }
}
