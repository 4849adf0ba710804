namespace Crossfade.Tests;

/// <summary>
/// Test classes that load the machine on purpose (thousands of connections) run alone, so that the
/// timing-sensitive tests of other classes do not run beside them.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class Exclusive
{
    public const string Name = "runs alone";
}
