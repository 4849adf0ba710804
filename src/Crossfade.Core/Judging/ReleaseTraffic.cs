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

    /// <summary>Counts one request: its route group, whether it counts as an error, and how long it took.</summary>
    public void Add(string group, bool error, double ms)
    {
        if (!_groups.TryGetValue(group, out var traffic))
            _groups[group] = traffic = new GroupTraffic();
        traffic.Add(error, ms);
        All.Add(error, ms);
    }
}

/// <summary>The requests of one route group (or all of them): how many failed, and each one's duration.</summary>
public sealed class GroupTraffic
{
    private readonly List<double> _ms = [];

    public long Errors { get; private set; }

    public long Total => _ms.Count;

    public IReadOnlyList<double> Ms => _ms;

    public void Add(bool error, double ms)
    {
        _ms.Add(ms);
        if (error)
            Errors++;
    }
}
