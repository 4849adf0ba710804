namespace Crossfade.Agent.Instances;

/// <summary>Free ports on the loopback interface, as the kernel hands them out.</summary>
public sealed class LoopbackPorts : IPorts
{
    public int Next() => FreePorts.Next();
}
