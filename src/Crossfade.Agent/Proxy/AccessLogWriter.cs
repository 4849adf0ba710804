using System.Buffers;
using System.Collections.Concurrent;
using System.Text.Json;

namespace Crossfade.Agent.Proxy;

/// <summary>
/// Writes one JSON line per request to the access log. A request only queues its record; a
/// background loop writes what has queued every <see cref="FlushEvery"/>, in one write, so neither a
/// slow disk nor the writing wakes a thread per request (the wake-ups cost the proxy a sixth of its
/// CPU under load; measured in BENCHMARKS.md). When the queue is full the record is dropped and
/// counted, never the request.
/// </summary>
public sealed class AccessLogWriter : IAsyncDisposable
{
    public static readonly TimeSpan FlushEvery = TimeSpan.FromMilliseconds(100);
    private readonly ConcurrentQueue<AccessRecord> _queue = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly string? _path;
    private readonly TimeProvider _time;
    private readonly Task _writer;
    private readonly int _capacity;
    private int _queued;
    private long _dropped;

    public AccessLogWriter(string? path, TimeProvider? time = null, int capacity = 100_000)
    {
        _path = path;
        _capacity = capacity;
        _time = time ?? TimeProvider.System;
        _writer = path is null ? Task.CompletedTask : Task.Run(WriteLoopAsync);
    }

    public long Dropped => Interlocked.Read(ref _dropped);

    public void Add(in AccessRecord record)
    {
        if (_path is null)
            return;
        if (Interlocked.Increment(ref _queued) > _capacity)
        {
            Interlocked.Decrement(ref _queued);
            Interlocked.Increment(ref _dropped);
            return;
        }
        _queue.Enqueue(record);
    }

    private async Task WriteLoopAsync()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(_path!))!);
        await using var stream = new FileStream(_path!, FileMode.Append, FileAccess.Write, FileShare.ReadWrite, bufferSize: 0);
        var batch = new ArrayBufferWriter<byte>(1 << 16);
        await using var json = new Utf8JsonWriter(batch);
        while (!_stopping.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(FlushEvery, _time, _stopping.Token);
            }
            catch (OperationCanceledException)
            {
                // Stopping: what is queued is written below.
            }
            await WriteQueuedAsync(stream, batch, json);
        }
        // Stopped, perhaps before the first beat: what is left is written too.
        await WriteQueuedAsync(stream, batch, json);
    }

    /// <summary>Formats every queued record into one buffer and writes it with one call.</summary>
    private async Task WriteQueuedAsync(FileStream stream, ArrayBufferWriter<byte> batch, Utf8JsonWriter json)
    {
        while (!_queue.IsEmpty)
        {
            batch.ResetWrittenCount();
            // At most 64 KiB-ish a write, so a burst does not grow the buffer without bound.
            while (batch.WrittenCount < 1 << 16 && _queue.TryDequeue(out var r))
            {
                Interlocked.Decrement(ref _queued);
                json.Reset(batch);
                json.WriteStartObject();
                json.WriteString("ts", r.Time);
                json.WriteString("method", r.Method);
                json.WriteString("path", r.Path);
                json.WriteNumber("status", r.Status);
                json.WriteNumber("ms", Math.Round(r.DurationMs, 3));
                json.WriteNumber("bytes", r.Bytes);
                json.WriteString("release", r.Release);
                json.WriteString("client", r.Client);
                if (r.Bot)
                    json.WriteBoolean("bot", true);
                json.WriteEndObject();
                json.Flush();
                batch.Write("\n"u8);
            }
            await stream.WriteAsync(batch.WrittenMemory);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        await _writer;
        _stopping.Dispose();
    }
}
