namespace Crossfade.Core.Judging;

/// <summary>The requests one release served in a judged window, by route group.</summary>
public sealed class ReleaseTraffic(string release)
{
    private readonly Dictionary<string, GroupTraffic> _groups = new(StringComparer.Ordinal);

    public string Release { get; } = release;

    public IReadOnlyDictionary<string, GroupTraffic> Groups => _groups;

    /// <summary>Every request the release served, whatever its group.</summary>
    public GroupTraffic All { get; } = new();

    public long Total => All.Total;

    /// <summary>
    /// Counts one request: its route group, whether it counts as an error, and how long it took —
    /// its duration only when <paramref name="timed"/> (a request of the warm-up counts for errors, not for latency).
    /// </summary>
    public void Add(string group, bool error, double ms, bool timed = true)
    {
        if (!_groups.TryGetValue(group, out var traffic))
            _groups[group] = traffic = new GroupTraffic();
        traffic.Add(error, ms, timed);
        All.Add(error, ms, timed);
    }
}

/// <summary>The requests of one route group (or all of them): how many, how many failed, and the durations of those timed.</summary>
public sealed class GroupTraffic
{
    private readonly List<double> _ms = [];

    public long Errors { get; private set; }

    public long Total { get; private set; }

    /// <summary>The durations of the requests past the warm-up.</summary>
    public IReadOnlyList<double> Ms => _ms;

    public void Add(bool error, double ms, bool timed = true)
    {
        Total++;
        if (timed)
            _ms.Add(ms);
        if (error)
            Errors++;
    }
}
