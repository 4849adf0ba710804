namespace Crossfade.Core.Specs;

/// <summary>One problem in an app spec: where it is and what is wrong.</summary>
public sealed record SpecError(string File, int Line, int Column, string Field, string Message)
{
    public override string ToString() => $"{File}:{Line}:{Column}: {Field}: {Message}";
}
