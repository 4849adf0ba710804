using System.Text.Json;
using System.Threading.Channels;

namespace Crossfade.Agent.Proxy;

/// <summary>
/// Writes one JSON line per request to the access log from a background task, so a slow disk never
/// holds a request. When the queue is full the record is dropped and counted, never the request.
/// </summary>
public sealed class AccessLogWriter : IAsyncDisposable
{
    private readonly Channel<AccessRecord> _queue = Channel.CreateBounded<AccessRecord>(
        new BoundedChannelOptions(100_000) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });
    private readonly string? _path;
    private readonly Task _writer;
    private long _dropped;

    public AccessLogWriter(string? path)
    {
        _path = path;
        _writer = path is null ? Task.CompletedTask : Task.Run(WriteLoopAsync);
    }

    public long Dropped => Interlocked.Read(ref _dropped);

    public void Add(in AccessRecord record)
    {
        if (_path is not null && !_queue.Writer.TryWrite(record))
            Interlocked.Increment(ref _dropped);
    }

    private async Task WriteLoopAsync()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(_path!))!);
        await using var stream = new FileStream(_path!, FileMode.Append, FileAccess.Write, FileShare.ReadWrite, 1 << 16);
        await using var json = new Utf8JsonWriter(stream);
        var reader = _queue.Reader;
        while (await reader.WaitToReadAsync())
        {
            while (reader.TryRead(out var r))
            {
                json.Reset(stream);
                json.WriteStartObject();
                json.WriteString("ts", r.Time);
                json.WriteString("method", r.Method);
                json.WriteString("path", r.Path);
                json.WriteNumber("status", r.Status);
                json.WriteNumber("ms", Math.Round(r.DurationMs, 3));
                json.WriteNumber("bytes", r.Bytes);
                json.WriteString("release", r.Release);
                json.WriteString("client", r.Client);
                json.WriteEndObject();
                // Into the stream's 64 KiB buffer: the disk is written when it fills, or below when the queue is empty.
                json.Flush();
                stream.WriteByte((byte)'\n');
            }
            await stream.FlushAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _writer;
    }
}
