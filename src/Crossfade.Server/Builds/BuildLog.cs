using Crossfade.Server.Storage;

namespace Crossfade.Server.Builds;

/// <summary>A build's output on its way to the store: lines gathered as they come, written a batch at a time.</summary>
public sealed class BuildLog(IStore store, long buildId, TimeProvider time)
{
    private const int MaxLine = 4000;

    /// <summary>The most lines a build keeps: a build that prints without end must not fill the store.</summary>
    public const int MaxLines = 50_000;

    private readonly Lock _gate = new();
    private List<(DateTimeOffset, string)> _pending = [];
    private int _written;

    public void Write(string line)
    {
        var cut = line.Length > MaxLine ? line[..MaxLine] + "…" : line;
        lock (_gate)
        {
            _written++;
            if (_written < MaxLines)
                _pending.Add((time.GetUtcNow(), cut));
            else if (_written == MaxLines)
                _pending.Add((time.GetUtcNow(), $"(output cut: a build keeps its first {MaxLines} lines)"));
        }
    }

    public async Task FlushAsync()
    {
        List<(DateTimeOffset, string)> batch;
        lock (_gate)
            (batch, _pending) = (_pending, []);
        await store.AppendBuildLogAsync(buildId, batch, CancellationToken.None);
    }

    /// <summary>Writes what has come every quarter second until <paramref name="ct"/> ends, then the rest.</summary>
    public async Task PumpAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(250), ct).ContinueWith(_ => { }, TaskScheduler.Default);
            await FlushAsync();
        }
        await FlushAsync();
    }
}
