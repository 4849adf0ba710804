using System.Text;

namespace Crossfade.Agent.Proxy.Http1;

/// <summary>
/// A message head kept as the bytes that arrived, with the place of each header field's name and
/// value: the relay reads and rewrites heads without making a string per field. One instance per
/// connection side is read again for each message; its bytes are its own copy, so reading more from
/// the socket never changes a head in use.
/// </summary>
internal abstract class MessageHead
{
    public const int MaxFields = 200;
    private byte[] _bytes = new byte[1024];
    private Field[] _fields = new Field[16];

    /// <summary>Where a field's name and (trimmed) value are in the head's bytes.</summary>
    private readonly record struct Field(int Name, int NameLength, int Value, int ValueLength);

    public int Count { get; private set; }

    /// <summary>Whether a Connection field is present (and may name more hop-by-hop fields).</summary>
    public bool HasConnection { get; private set; }

    public ReadOnlySpan<byte> Name(int i) => _bytes.AsSpan(_fields[i].Name, _fields[i].NameLength);

    public ReadOnlySpan<byte> Value(int i) => _bytes.AsSpan(_fields[i].Value, _fields[i].ValueLength);

    protected ReadOnlySpan<byte> Bytes(int start, int length) => _bytes.AsSpan(start, length);

    /// <summary>The first field named <paramref name="name"/> (any case), or false.</summary>
    public bool TryGet(ReadOnlySpan<byte> name, out ReadOnlySpan<byte> value)
    {
        for (var i = 0; i < Count; i++)
            if (Ascii.EqualsIgnoreCase(Name(i), name))
            {
                value = Value(i);
                return true;
            }
        value = default;
        return false;
    }

    public bool Has(ReadOnlySpan<byte> name) => TryGet(name, out _);

    /// <summary>The first value of a field as text (for messages and tests), or null.</summary>
    public string? GetString(string name) =>
        TryGet(Encoding.Latin1.GetBytes(name), out var value) ? Encoding.Latin1.GetString(value) : null;

    public int CountOf(ReadOnlySpan<byte> name)
    {
        var n = 0;
        for (var i = 0; i < Count; i++)
            if (Ascii.EqualsIgnoreCase(Name(i), name))
                n++;
        return n;
    }

    /// <summary>Whether a comma-separated field (Connection, Expect, …) holds this token, in any of its lines.</summary>
    public bool HasToken(ReadOnlySpan<byte> name, ReadOnlySpan<byte> token)
    {
        for (var i = 0; i < Count; i++)
        {
            if (!Ascii.EqualsIgnoreCase(Name(i), name))
                continue;
            foreach (var part in Value(i).Split((byte)','))
                if (Ascii.EqualsIgnoreCase(Value(i)[part].Trim(" \t"u8), token))
                    return true;
        }
        return false;
    }

    /// <summary>
    /// Reads a head (without its final empty line) strictly: CRLF line ends only, no bare CR, LF or
    /// NUL, no folded lines, token names with no space before the colon. Returns the first line's
    /// length, or -1 with the reason.
    /// </summary>
    protected int Read(ReadOnlySpan<byte> head, out string? error)
    {
        error = null;
        if (_bytes.Length < head.Length)
            _bytes = new byte[Math.Max(head.Length, _bytes.Length * 2)];
        head.CopyTo(_bytes);
        Count = 0;
        HasConnection = false;
        var firstLength = head.IndexOf("\r\n"u8) is var end and >= 0 ? end : head.Length;
        if (firstLength == 0)
            return Fail("the first line is empty", out error);
        if (HeadSyntax.HasBareEnd(head[..firstLength]))
            return Fail(HeadSyntax.BareEnd, out error);
        for (var at = firstLength + 2; at <= head.Length;)
        {
            var lineLength = head[at..].IndexOf("\r\n"u8) is var e and >= 0 ? e : head.Length - at;
            if (!AddField(head.Slice(at, lineLength), at, out error))
                return -1;
            at += lineLength + 2;
        }
        return firstLength;
    }

    private bool AddField(ReadOnlySpan<byte> line, int at, out string? error)
    {
        error = null;
        if (HeadSyntax.HasBareEnd(line))
            return Refuse(HeadSyntax.BareEnd, out error);
        if (Count == MaxFields)
            return Refuse($"more than {MaxFields} header fields", out error);
        var colon = line.IndexOf((byte)':');
        if (colon <= 0 || !HeadSyntax.IsToken(line[..colon]))
        {
            var folded = line.Length > 0 && (line[0] == ' ' || line[0] == '\t');
            return Refuse(folded ? "folded header lines are not accepted" : $"'{HeadSyntax.Shorten(line)}' is not a header field", out error);
        }
        var value = line[(colon + 1)..];
        var lead = value.Length - value.TrimStart(" \t"u8).Length;
        var trimmed = value.Trim(" \t"u8);
        if (HeadSyntax.HasValueControl(trimmed))
            return Refuse($"the value of '{HeadSyntax.Shorten(line[..colon])}' holds a control character", out error);
        if (Count == _fields.Length)
            Array.Resize(ref _fields, _fields.Length * 2);
        _fields[Count++] = new Field(at, colon, at + colon + 1 + lead, trimmed.Length);
        HasConnection |= Ascii.EqualsIgnoreCase(line[..colon], "Connection"u8);
        return true;
    }

    protected static bool Refuse(string message, out string? error)
    {
        error = message;
        return false;
    }

    private static int Fail(string message, out string? error)
    {
        error = message;
        return -1;
    }
}
