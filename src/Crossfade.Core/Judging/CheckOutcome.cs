namespace Crossfade.Core.Judging;

/// <summary>What one comparison of the candidate with the baseline found.</summary>
public enum CheckOutcome
{
    /// <summary>Enough evidence, and not worse.</summary>
    Pass,

    /// <summary>Clearly worse, by more than the floor.</summary>
    Fail,

    /// <summary>Too few requests to tell.</summary>
    Insufficient,
}
