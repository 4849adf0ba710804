using System.Buffers;
using System.Globalization;
using System.Text;

namespace Crossfade.Agent.Proxy.Http1;

/// <summary>Builds the message heads the proxy sends, into one reused buffer per connection.</summary>
internal sealed class HeadWriter
{
    private readonly ArrayBufferWriter<byte> _buffer = new(1024);

    public ReadOnlyMemory<byte> Written => _buffer.WrittenMemory;

    public HeadWriter Start(string firstLine)
    {
        _buffer.ResetWrittenCount();
        return Line(firstLine);
    }

    public HeadWriter Header(string name, string value)
    {
        Text(name);
        Text(": ");
        Text(value);
        return Text("\r\n");
    }

    public HeadWriter End() => Text("\r\n");

    /// <summary>Body bytes sent in the same write as the head.</summary>
    public HeadWriter Append(ReadOnlySpan<byte> bytes)
    {
        _buffer.Write(bytes);
        return this;
    }

    private HeadWriter Line(string text) => Text(text).Text("\r\n");

    private HeadWriter Text(string text)
    {
        var span = _buffer.GetSpan(text.Length);
        Encoding.Latin1.GetBytes(text, span);
        _buffer.Advance(text.Length);
        return this;
    }

    public static string StatusLine(int status, string reason) =>
        string.Create(CultureInfo.InvariantCulture, $"HTTP/1.1 {status} {reason}");
}
