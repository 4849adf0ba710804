namespace Crossfade.Server.Hooks;

/// <summary>
/// How many webhook bodies the server reads at once: a body is read whole before its signature can be
/// checked, so a flood of large unsigned ones holds at most <see cref="Max"/> × 25 MB.
/// </summary>
public sealed class HookReaders
{
    public const int Max = 8;
    private readonly SemaphoreSlim _slots = new(Max);

    /// <summary>A slot to read a body in, or null when <see cref="Max"/> are being read already (the caller answers 503).</summary>
    public IDisposable? Enter() => _slots.Wait(0) ? new Slot(_slots) : null;

    private sealed class Slot(SemaphoreSlim slots) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
                slots.Release();
        }
    }
}
