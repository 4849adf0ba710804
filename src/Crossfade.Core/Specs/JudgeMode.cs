namespace Crossfade.Core.Specs;

/// <summary>Whether the judge acts on its verdicts.</summary>
public enum JudgeMode
{
    /// <summary>Verdicts are recorded as what the judge would have done; nothing is acted on.</summary>
    Observe,

    /// <summary>A fail rolls the deploy back; a pass lets it cut over.</summary>
    Enforce,
}
