using System.Text;

namespace Crossfade.Agent.Shipping;

/// <summary>
/// Follows one log file as <c>tail -F</c> does, line by line from a saved cursor. When the file is
/// rotated (renamed away, a new one created), the old file is read to its end through the handle kept
/// open, then the new one from its start; when it is truncated in place, reading starts again at 0.
/// A line is only taken once it ends with a newline, so a half-written line waits for its end.
/// </summary>
public sealed class LogFollower(string path, FileCursor? saved) : IDisposable
{
    private const int MaxLineBytes = 1 << 20;
    private FileStream? _stream;
    private ulong _inode = saved?.Inode ?? 0;
    private long _offset = saved?.Offset ?? 0;

    public string Path { get; } = path;

    public FileCursor Cursor => new(Path, _inode, _offset);

    /// <summary>
    /// Reads up to <paramref name="maxLines"/> complete lines, stopping early past <paramref name="maxBytes"/>;
    /// each line comes with the cursor just after it.
    /// </summary>
    public List<(string Line, FileCursor After)> Read(int maxLines, long maxBytes = long.MaxValue)
    {
        var lines = new List<(string, FileCursor)>();
        var budget = new Budget(maxLines, maxBytes);
        Open();
        while (_stream is not null && !budget.Spent(lines.Count))
        {
            ReadFrom(_stream, lines, budget);
            if (budget.Spent(lines.Count))
                break;
            // At the end of what we hold: is there a newer file at the path?
            var current = FileIdentity.Of(Path);
            if (current is null || current == _inode)
                break;
            _stream.Dispose();
            _stream = null;
            _inode = current.Value;
            _offset = 0;
            Open();
        }
        return lines;
    }

    private void Open()
    {
        if (_stream is not null)
            return;
        var current = FileIdentity.Of(Path);
        if (current is null)
            return;
        if (_inode != 0 && current != _inode && FindRotated(_inode) is { } rotated)
        {
            // Rotated while nobody was reading: finish the old file first, from where we were.
            _stream = new FileStream(rotated, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            _stream.Seek(Math.Min(_offset, _stream.Length), SeekOrigin.Begin);
            return;
        }
        if (current != _inode)
        {
            _inode = current.Value;
            _offset = 0;
        }
        _stream = new FileStream(Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        if (_stream.Length < _offset)
            _offset = 0;
        _stream.Seek(_offset, SeekOrigin.Begin);
    }

    private string? FindRotated(ulong inode)
    {
        var dir = System.IO.Path.GetDirectoryName(Path)!;
        var name = System.IO.Path.GetFileName(Path);
        return Directory.EnumerateFiles(dir, name + "*").FirstOrDefault(f => f != Path && FileIdentity.Of(f) == inode);
    }

    private sealed class Budget(int maxLines, long maxBytes)
    {
        public long Bytes { get; set; }

        public bool Spent(int lines) => lines >= maxLines || Bytes >= maxBytes;
    }

    private void ReadFrom(FileStream stream, List<(string, FileCursor)> lines, Budget budget)
    {
        // Shorter than where we were: truncated in place (copytruncate), so the file starts again.
        if (stream.Length < _offset)
            _offset = 0;
        stream.Seek(_offset, SeekOrigin.Begin);
        var buffer = new byte[64 * 1024];
        var pending = new MemoryStream();
        var lineStart = _offset;
        int read;
        while (!budget.Spent(lines.Count) && (read = stream.Read(buffer, 0, buffer.Length)) > 0)
        {
            var start = 0;
            for (var i = 0; i < read && !budget.Spent(lines.Count); i++)
            {
                if (buffer[i] != (byte)'\n')
                    continue;
                pending.Write(buffer, start, i - start);
                var end = lineStart + pending.Length + 1;
                budget.Bytes += pending.Length + 1;
                lines.Add((Decode(pending), new FileCursor(Path, _inode, end)));
                _offset = end;
                lineStart = end;
                pending.SetLength(0);
                start = i + 1;
            }
            if (budget.Spent(lines.Count))
                break;
            pending.Write(buffer, start, read - start);
            if (pending.Length > MaxLineBytes)
            {
                // A line longer than any sane log line: shipped in pieces rather than held forever.
                var end = lineStart + pending.Length;
                budget.Bytes += pending.Length;
                lines.Add((Decode(pending), new FileCursor(Path, _inode, end)));
                _offset = lineStart = end;
                pending.SetLength(0);
            }
        }
    }

    private static string Decode(MemoryStream bytes) =>
        Encoding.UTF8.GetString(bytes.GetBuffer(), 0, (int)bytes.Length).TrimEnd('\r');

    public void Dispose() => _stream?.Dispose();
}
