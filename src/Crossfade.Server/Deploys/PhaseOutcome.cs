namespace Crossfade.Server.Deploys;

/// <summary>What a phase of a running deploy decided: go on, end it with the old release serving, or send every switched host back.</summary>
public sealed record PhaseOutcome(PhaseVerdict Verdict, string Reason)
{
    public static readonly PhaseOutcome Next = new(PhaseVerdict.Next, "");

    /// <summary>Nothing switched: the deploy ends Aborted and the fleet serves what it served.</summary>
    public static PhaseOutcome Abort(string reason) => new(PhaseVerdict.Abort, reason);

    /// <summary>Some host may serve the new release: every one that does goes back.</summary>
    public static PhaseOutcome RollBack(string reason) => new(PhaseVerdict.RollBack, reason);
}
