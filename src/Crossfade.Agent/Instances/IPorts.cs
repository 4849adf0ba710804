namespace Crossfade.Agent.Instances;

/// <summary>Picks the port a new web instance listens on.</summary>
public interface IPorts
{
    /// <summary>A port free at the time of the call.</summary>
    int Next();
}
