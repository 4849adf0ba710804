using Crossfade.Agent.Instances;

namespace Crossfade.Tests.Agent.Steps;

/// <summary>Hands out 5001, 5002, … so a test knows which port an instance got.</summary>
internal sealed class FakePorts : IPorts
{
    private int _last = 5000;

    public int Next() => ++_last;
}
