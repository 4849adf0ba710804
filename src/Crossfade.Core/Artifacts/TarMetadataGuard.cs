using System.Text;

namespace Crossfade.Core.Artifacts;

/// <summary>
/// Passes a tar stream through unchanged while following its 512-byte blocks, and refuses a metadata
/// record (a PAX extended header, a GNU long name or long link) larger than a bound before the tar
/// reader sees it: the reader keeps such a record whole in memory, so a few compressed megabytes could
/// otherwise make it allocate gigabytes. Headers are read here only for their type and size.
/// </summary>
internal sealed class TarMetadataGuard(Stream inner, int maxMetadataBytes) : Stream
{
    private const int Block = 512;
    private readonly byte[] _header = new byte[Block];
    private int _headerFill;
    private long _dataLeft;
    private bool _ended;

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var read = inner.Read(buffer);
        Follow(buffer[..read]);
        return read;
    }

    private void Follow(ReadOnlySpan<byte> bytes)
    {
        while (bytes.Length > 0 && !_ended)
        {
            if (_dataLeft > 0)
            {
                var skip = (int)Math.Min(_dataLeft, bytes.Length);
                _dataLeft -= skip;
                bytes = bytes[skip..];
                continue;
            }
            var take = Math.Min(Block - _headerFill, bytes.Length);
            bytes[..take].CopyTo(_header.AsSpan(_headerFill));
            _headerFill += take;
            bytes = bytes[take..];
            if (_headerFill == Block)
                Inspect();
        }
    }

    private void Inspect()
    {
        _headerFill = 0;
        if (!_header.AsSpan().ContainsAnyExcept((byte)0))
        {
            // The end-of-archive marker: what follows is no more entries.
            _ended = true;
            return;
        }
        var size = Size(_header.AsSpan(124, 12));
        var type = (char)_header[156];
        if (type is 'x' or 'g' or 'L' or 'K' && size > maxMetadataBytes)
            throw new ArchiveRefusedException(
                $"the archive holds a metadata record (tar type '{type}') of {size} bytes; at most {maxMetadataBytes} are taken");
        // Links, folders and devices carry no data whatever their size field says, as tar readers treat them.
        _dataLeft = type is '1' or '2' or '3' or '4' or '5' or '6' ? 0 : (size + Block - 1) / Block * Block;
    }

    /// <summary>The size field: octal digits, or base-256 when its first byte's high bit is set.</summary>
    private static long Size(ReadOnlySpan<byte> field)
    {
        if ((field[0] & 0x80) != 0)
        {
            long value = 0;
            foreach (var b in field[1..])
            {
                if (value > long.MaxValue / 256)
                    throw new ArchiveRefusedException("an entry's size field is out of range");
                value = value * 256 + b;
            }
            return value;
        }
        var text = Encoding.ASCII.GetString(field).Trim(' ', '\0');
        return text.Length == 0 ? 0 : Convert.ToInt64(text, 8);
    }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
