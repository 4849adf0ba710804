namespace Crossfade.Agent.Proxy.Http1;

/// <summary>
/// Follows a chunked body byte by byte (RFC 9112 §7.1) to find where it ends, so it can be relayed
/// as it is, and optionally where its data is, so it can be relayed without its framing. Sizes,
/// extensions and trailers are checked, not trusted: a malformed body stops the relay.
/// </summary>
internal sealed class ChunkedScanner
{
    private const int MaxLine = 4096;
    private const long MaxChunk = 1L << 40;

    private enum State { Size, Extension, SizeLf, Data, DataCr, DataLf, TrailerStart, Trailer, TrailerLf, FinalLf, Done }

    private State _state;
    private long _size;
    private bool _digits;
    private long _remaining;
    private int _line;

    public bool Done => _state == State.Done;

    /// <summary>
    /// Takes bytes from the start of <paramref name="span"/> up to the end of the body; returns how many
    /// belong to it. When <paramref name="data"/> is given, the ranges of chunk data are added to it.
    /// </summary>
    public int Scan(ReadOnlySpan<byte> span, List<(int Start, int Length)>? data = null)
    {
        var i = 0;
        while (i < span.Length && _state != State.Done)
        {
            var b = span[i];
            switch (_state)
            {
                case State.Size:
                    if (++_line > MaxLine)
                        throw new InvalidDataException($"a chunk size line is longer than {MaxLine} bytes");
                    if (HexValue(b) is { } v)
                    {
                        _size = _size * 16 + v;
                        if (_size > MaxChunk)
                            throw new InvalidDataException("a chunk size is too large");
                        _digits = true;
                    }
                    else if (b is (byte)';' or (byte)' ' or (byte)'\t' && _digits)
                        _state = State.Extension;
                    else if (b == '\r' && _digits)
                        _state = State.SizeLf;
                    else
                        throw new InvalidDataException("a chunk size line is malformed");
                    i++;
                    break;
                case State.Extension:
                    if (b == '\r')
                        _state = State.SizeLf;
                    else if (b == '\n' || ++_line > MaxLine)
                        throw new InvalidDataException("a chunk extension is malformed");
                    i++;
                    break;
                case State.SizeLf:
                    Expect(b, '\n');
                    i++;
                    _state = _size == 0 ? State.TrailerStart : State.Data;
                    _remaining = _size;
                    _size = 0;
                    _digits = false;
                    _line = 0;
                    break;
                case State.Data:
                    var take = (int)Math.Min(_remaining, span.Length - i);
                    data?.Add((i, take));
                    i += take;
                    _remaining -= take;
                    if (_remaining == 0)
                        _state = State.DataCr;
                    break;
                case State.DataCr:
                    Expect(b, '\r');
                    i++;
                    _state = State.DataLf;
                    break;
                case State.DataLf:
                    Expect(b, '\n');
                    i++;
                    _state = State.Size;
                    break;
                case State.TrailerStart:
                    _state = b == '\r' ? State.FinalLf : State.Trailer;
                    _line = 0;
                    i++;
                    break;
                case State.Trailer:
                    if (b == '\r')
                        _state = State.TrailerLf;
                    else if (b == '\n' || ++_line > MaxLine)
                        throw new InvalidDataException("a trailer field is malformed");
                    i++;
                    break;
                case State.TrailerLf:
                    Expect(b, '\n');
                    i++;
                    _state = State.TrailerStart;
                    break;
                case State.FinalLf:
                    Expect(b, '\n');
                    i++;
                    _state = State.Done;
                    break;
            }
        }
        return i;
    }

    private static void Expect(byte b, char expected)
    {
        if (b != expected)
            throw new InvalidDataException("a chunked body is malformed (a line does not end in CRLF)");
    }

    private static int? HexValue(byte b) => b switch
    {
        >= (byte)'0' and <= (byte)'9' => b - '0',
        >= (byte)'a' and <= (byte)'f' => b - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => b - 'A' + 10,
        _ => null,
    };
}
