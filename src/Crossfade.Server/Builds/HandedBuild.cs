using Crossfade.Contracts.V1;

namespace Crossfade.Server.Builds;

/// <summary>A build handed to a builder host: offered, taken, heard from, and how it ended.</summary>
public sealed class HandedBuild(string host, BuildWork work, BuildLog log, DateTimeOffset offeredAt)
{
    private readonly Lock _gate = new();
    private readonly TaskCompletionSource<BuildResult> _result = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private (string Sha256, long Size)? _archive;

    public string Host { get; } = host;
    public BuildWork Work { get; } = work;
    public BuildLog Log { get; } = log;
    public DateTimeOffset OfferedAt { get; } = offeredAt;
    public bool Taken { get; private set; }
    public DateTimeOffset LastHeard { get; private set; } = offeredAt;

    public Task<BuildResult> Result => _result.Task;

    public bool TryTake(DateTimeOffset at)
    {
        lock (_gate)
        {
            if (Taken)
                return false;
            (Taken, LastHeard) = (true, at);
            return true;
        }
    }

    public void Heard(DateTimeOffset at)
    {
        lock (_gate)
            LastHeard = at > LastHeard ? at : LastHeard;
    }

    /// <summary>The archive the host sent, checked and stored under its hash.</summary>
    public (string Sha256, long Size)? Archive
    {
        get { lock (_gate) return _archive; }
        set { lock (_gate) _archive = value; }
    }

    /// <summary>The host's result; only the first counts.</summary>
    public bool End(BuildResult result) => _result.TrySetResult(result);
}
