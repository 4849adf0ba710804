namespace Crossfade.Agent.Instances;

/// <summary>
/// Free ports on the loopback interface for the instances this agent starts: chosen at random below the
/// kernel's ephemeral range and checked free, not asked of the kernel — agents side by side on one machine
/// (a local fleet) were handed the same ephemeral port between the ask and the instance's bind.
/// </summary>
public sealed class LoopbackPorts : IPorts
{
    public int Next() => FreePorts.BelowEphemeral();
}
