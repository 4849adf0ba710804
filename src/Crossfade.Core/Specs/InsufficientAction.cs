namespace Crossfade.Core.Specs;

/// <summary>What a judged deploy does when its window ran out with too little traffic to tell.</summary>
public enum InsufficientAction
{
    /// <summary>Wait, named on the timeline, for a person to promote or abort.</summary>
    Hold,

    /// <summary>Go on to the cutover, saying that the judge could not tell.</summary>
    Promote,

    /// <summary>Send every host back to the old release, saying that the judge could not tell.</summary>
    Abort,
}
