namespace Crossfade.Core.Specs;

/// <summary>The outcome of reading a spec: the spec when it is valid, every error otherwise.</summary>
public sealed record SpecParseResult(AppSpec? Spec, IReadOnlyList<SpecError> Errors)
{
    public bool IsValid => Spec is not null && Errors.Count == 0;
}
