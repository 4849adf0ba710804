namespace Crossfade.Agent.Builds;

/// <summary>A build's output lines waiting to be sent, bounded: a build printing faster than the link carries loses lines, never memory.</summary>
public sealed class BuildOutput
{
    private const int MaxWaiting = 20_000;
    private const int MaxLine = 4000;

    private readonly Lock _gate = new();
    private readonly Queue<string> _lines = new();
    private long _dropped;

    public void Add(string line)
    {
        lock (_gate)
        {
            if (_lines.Count >= MaxWaiting)
            {
                _dropped++;
                return;
            }
            _lines.Enqueue(line.Length > MaxLine ? line[..MaxLine] + "…" : line);
        }
    }

    /// <summary>Up to <paramref name="max"/> lines, oldest first, with a note of any dropped before them.</summary>
    public IReadOnlyList<string> Take(int max)
    {
        lock (_gate)
        {
            var batch = new List<string>(Math.Min(max, _lines.Count + 1));
            if (_dropped > 0)
            {
                batch.Add($"({_dropped} lines of output dropped: the builder printed faster than it could send)");
                _dropped = 0;
            }
            while (batch.Count < max && _lines.TryDequeue(out var line))
                batch.Add(line);
            return batch;
        }
    }
}
