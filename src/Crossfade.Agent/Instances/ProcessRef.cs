namespace Crossfade.Agent.Instances;

/// <summary>A process the agent started: its PID and the kernel's start time, which together identify it.</summary>
public sealed record ProcessRef(int Pid, long StartTicks);
