namespace Crossfade.Agent.Proxy;

/// <summary>
/// Holds the live upstream snapshot, and the judged split when there is one; acquiring and swapping
/// either never takes a lock.
/// </summary>
public sealed class UpstreamTable
{
    private UpstreamSnapshot? _current;
    private SplitRoute? _split;

    public UpstreamSnapshot? Current => Volatile.Read(ref _current);

    public SplitRoute? Split => Volatile.Read(ref _split);

    /// <summary>
    /// The live snapshot — or, with <paramref name="candidate"/>, the split's candidate while there is a
    /// split — with this request counted in it; null when there is none.
    /// </summary>
    public UpstreamSnapshot? Acquire(bool candidate = false)
    {
        while (true)
        {
            var snapshot = candidate ? Volatile.Read(ref _split)?.Candidate ?? Volatile.Read(ref _current) : Volatile.Read(ref _current);
            if (snapshot is null)
                return null;
            snapshot.Enter();
            // Counted first, checked second: a drain of a swapped-out snapshot either sees this request or we retry.
            if (ReferenceEquals(snapshot, Volatile.Read(ref _current)) || (candidate && ReferenceEquals(snapshot, Volatile.Read(ref _split)?.Candidate)))
                return snapshot;
            snapshot.Exit();
        }
    }

    /// <summary>Makes <paramref name="next"/> the split (null: none) and returns the one it replaced.</summary>
    public SplitRoute? SetSplit(SplitRoute? next) => Interlocked.Exchange(ref _split, next);

    /// <summary>Makes <paramref name="next"/> live and returns the snapshot it replaced.</summary>
    public UpstreamSnapshot? Swap(UpstreamSnapshot next) => Interlocked.Exchange(ref _current, next);
}
