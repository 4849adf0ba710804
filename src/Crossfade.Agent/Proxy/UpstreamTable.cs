namespace Crossfade.Agent.Proxy;

/// <summary>Holds the live upstream snapshot; acquiring and swapping it never takes a lock.</summary>
public sealed class UpstreamTable
{
    private UpstreamSnapshot? _current;

    public UpstreamSnapshot? Current => Volatile.Read(ref _current);

    /// <summary>The live snapshot with this request counted in it, or null when there is none.</summary>
    public UpstreamSnapshot? Acquire()
    {
        while (true)
        {
            var snapshot = Volatile.Read(ref _current);
            if (snapshot is null)
                return null;
            snapshot.Enter();
            // Counted first, checked second: a drain of a swapped-out snapshot either sees this request or we retry.
            if (ReferenceEquals(snapshot, Volatile.Read(ref _current)))
                return snapshot;
            snapshot.Exit();
        }
    }

    /// <summary>Makes <paramref name="next"/> live and returns the snapshot it replaced.</summary>
    public UpstreamSnapshot? Swap(UpstreamSnapshot next) => Interlocked.Exchange(ref _current, next);
}
