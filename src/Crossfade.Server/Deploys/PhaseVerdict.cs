namespace Crossfade.Server.Deploys;

/// <summary>The three ways a phase of a running deploy can end.</summary>
public enum PhaseVerdict
{
    /// <summary>The deploy goes on to its next phase.</summary>
    Next,

    /// <summary>Nothing switched: started candidates stop and the deploy ends Aborted.</summary>
    Abort,

    /// <summary>Some host may serve the new release: every one that does goes back.</summary>
    RollBack,
}
