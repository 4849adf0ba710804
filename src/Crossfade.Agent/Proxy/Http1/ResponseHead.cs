using System.Globalization;

namespace Crossfade.Agent.Proxy.Http1;

/// <summary>A response's status line and header fields.</summary>
internal sealed class ResponseHead : MessageHead
{
    private int _reason;
    private int _reasonLength;

    public int Minor { get; private set; }

    public int Status { get; private set; }

    public ReadOnlySpan<byte> Reason => Bytes(_reason, _reasonLength);

    /// <summary>A new head read from <paramref name="head"/>, or null with the reason.</summary>
    public static ResponseHead? Parse(ReadOnlySpan<byte> head, out string? error)
    {
        var response = new ResponseHead();
        return response.TryRead(head, out error) ? response : null;
    }

    /// <summary>Reads the next answer's head into this instance; false with the reason when it is not valid.</summary>
    public bool TryRead(ReadOnlySpan<byte> head, out string? error)
    {
        var firstLength = Read(head, out error);
        if (firstLength < 0)
            return false;
        var first = head[..firstLength];
        if (first.Length < 12 || first[8] != ' ' || HeadSyntax.Minor(first[..8]) is not { } minor
            || !int.TryParse(first.Slice(9, 3), NumberStyles.None, CultureInfo.InvariantCulture, out var status)
            || status < 100 || (first.Length > 12 && first[12] != ' '))
            return Refuse("the upstream's status line is not 'HTTP/1.x NNN reason'", out error);
        Minor = minor;
        Status = status;
        _reason = first.Length > 13 ? 13 : first.Length;
        _reasonLength = first.Length - _reason;
        return true;
    }
}
