using System.Buffers;
using System.Buffers.Text;
using System.Text;

namespace Crossfade.Agent.Proxy.Http1;

/// <summary>Builds the message heads the proxy sends, into one reused buffer per connection.</summary>
internal sealed class HeadWriter
{
    private readonly ArrayBufferWriter<byte> _buffer = new(1024);

    public ReadOnlyMemory<byte> Written => _buffer.WrittenMemory;

    /// <summary>Starts a request head: the request line as it came, always as HTTP/1.1.</summary>
    public HeadWriter StartRequest(string method, string target)
    {
        _buffer.ResetWrittenCount();
        return Text(method).Append(" "u8).Text(target).Append(" HTTP/1.1\r\n"u8);
    }

    /// <summary>Starts a response head: <c>HTTP/1.1 status reason</c>.</summary>
    public HeadWriter StartResponse(int status, ReadOnlySpan<byte> reason)
    {
        _buffer.ResetWrittenCount();
        Append("HTTP/1.1 "u8);
        Utf8Formatter.TryFormat(status, _buffer.GetSpan(11), out var written);
        _buffer.Advance(written);
        return Append(" "u8).Append(reason).Append("\r\n"u8);
    }

    public HeadWriter Header(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value) =>
        Append(name).Append(": "u8).Append(value).Append("\r\n"u8);

    public HeadWriter Header(ReadOnlySpan<byte> name, string value) =>
        Append(name).Append(": "u8).Text(value).Append("\r\n"u8);

    public HeadWriter End() => Append("\r\n"u8);

    /// <summary>Bytes as they are: part of a field, or body bytes sent in the same write as the head.</summary>
    public HeadWriter Append(ReadOnlySpan<byte> bytes)
    {
        _buffer.Write(bytes);
        return this;
    }

    public HeadWriter Text(string text)
    {
        var span = _buffer.GetSpan(text.Length);
        Encoding.Latin1.GetBytes(text, span);
        _buffer.Advance(text.Length);
        return this;
    }
}
