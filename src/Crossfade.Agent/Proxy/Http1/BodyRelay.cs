namespace Crossfade.Agent.Proxy.Http1;

/// <summary>
/// Relays a message body from one side to the other as it arrives, in the framing it came in (or,
/// for an HTTP/1.0 client, a chunked body without its framing). One send per read: what is buffered
/// goes out before more is read.
/// </summary>
internal static class BodyRelay
{
    /// <summary>
    /// Relays the rest of a body; <paramref name="sent"/> bytes of it (and, for a chunked one, the
    /// <paramref name="scanner"/>'s state) already went with the head. Returns the body bytes sent on.
    /// <paramref name="waiting"/>, when given, hears which side each read or send is about to wait on.
    /// </summary>
    public static async Task<long> CopyAsync(SocketBuffer from, SocketBuffer to, BodyFraming framing, bool unchunk, CancellationToken ct, long sent = 0, ChunkedScanner? scanner = null, Action<Peer>? waiting = null)
    {
        var relay = new Ends(from, to, waiting);
        return framing.Kind switch
        {
            BodyKind.None => 0,
            BodyKind.Length => sent + await CopyLengthAsync(relay, framing.Length - sent, ct),
            BodyKind.Chunked => sent + await CopyChunkedAsync(relay, unchunk, scanner ?? new ChunkedScanner(), ct),
            _ => await CopyUntilCloseAsync(relay, ct),
        };
    }

    /// <summary>The two sides of a relay, and who hears which one it waits on.</summary>
    private readonly record struct Ends(SocketBuffer From, SocketBuffer To, Action<Peer>? Waiting)
    {
        /// <summary>Reads more unless something is buffered; 0 at the end of the stream.</summary>
        public ValueTask<int> FillAsync(CancellationToken ct)
        {
            if (From.Count > 0)
                return ValueTask.FromResult(From.Count);
            Waiting?.Invoke(From.Peer);
            return From.FillAsync(ct);
        }

        public ValueTask SendAsync(ReadOnlyMemory<byte> bytes, CancellationToken ct)
        {
            Waiting?.Invoke(To.Peer);
            return To.SendAsync(bytes, ct);
        }
    }

    /// <summary>
    /// Moves the start of a body that is already buffered into the head's write (one send for a small
    /// answer instead of two); returns the bytes taken and, for a chunked body, the scanner to go on with.
    /// </summary>
    public static (long Taken, ChunkedScanner? Scanner) TakeBuffered(SocketBuffer from, HeadWriter head, BodyFraming framing, bool unchunk)
    {
        if (from.Count == 0 || unchunk || framing.Kind is BodyKind.None or BodyKind.UntilClose)
            return (0, null);
        if (framing.Kind == BodyKind.Length)
        {
            var take = (int)Math.Min(framing.Length, from.Count);
            head.Append(from.Buffered.Span[..take]);
            from.Consume(take);
            return (take, null);
        }
        var scanner = new ChunkedScanner();
        int taken;
        try
        {
            taken = scanner.Scan(from.Buffered.Span);
        }
        catch (InvalidDataException ex)
        {
            throw new PeerException(from.Peer, ex.Message, ex);
        }
        head.Append(from.Buffered.Span[..taken]);
        from.Consume(taken);
        return (taken, scanner);
    }

    private static async Task<long> CopyLengthAsync(Ends relay, long length, CancellationToken ct)
    {
        var from = relay.From;
        var left = length;
        while (left > 0)
        {
            if (await relay.FillAsync(ct) == 0)
                throw Ended(from);
            var take = (int)Math.Min(left, from.Count);
            await relay.SendAsync(from.Buffered[..take], ct);
            from.Consume(take);
            left -= take;
        }
        return length;
    }

    private static async Task<long> CopyChunkedAsync(Ends relay, bool unchunk, ChunkedScanner scanner, CancellationToken ct)
    {
        var from = relay.From;
        var data = unchunk ? new List<(int Start, int Length)>() : null;
        long total = 0;
        while (!scanner.Done)
        {
            if (await relay.FillAsync(ct) == 0)
                throw Ended(from);
            data?.Clear();
            int taken;
            try
            {
                taken = scanner.Scan(from.Buffered.Span, data);
            }
            catch (InvalidDataException ex)
            {
                throw new PeerException(from.Peer, ex.Message, ex);
            }
            if (data is null)
            {
                await relay.SendAsync(from.Buffered[..taken], ct);
                total += taken;
            }
            else
            {
                foreach (var (start, length) in data)
                {
                    await relay.SendAsync(from.Buffered.Slice(start, length), ct);
                    total += length;
                }
            }
            from.Consume(taken);
        }
        return total;
    }

    private static async Task<long> CopyUntilCloseAsync(Ends relay, CancellationToken ct)
    {
        var from = relay.From;
        long total = 0;
        while (true)
        {
            if (await relay.FillAsync(ct) == 0)
                return total;
            total += from.Count;
            await relay.SendAsync(from.Buffered, ct);
            from.Consume(from.Count);
        }
    }

    private static PeerException Ended(SocketBuffer from) =>
        new(from.Peer, $"the {(from.Peer == Peer.Client ? "client" : "upstream")} closed the connection before the end of the body");
}
