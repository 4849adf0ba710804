namespace Crossfade.Agent.Instances;

/// <summary>The host state in memory and on disk; every change is saved before the call returns.</summary>
public sealed class HostStateStore(string path)
{
    private readonly Lock _lock = new();
    private readonly HostState _state = HostState.Load(path);

    public T Read<T>(Func<HostState, T> read)
    {
        lock (_lock)
            return read(_state);
    }

    public void Update(Action<HostState> change)
    {
        lock (_lock)
        {
            change(_state);
            _state.Save(path);
        }
    }
}
