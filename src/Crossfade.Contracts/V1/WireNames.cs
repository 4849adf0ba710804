namespace Crossfade.Contracts.V1;

/// <summary>
/// The text of the contracts' enums outside JSON (the store's columns, a work item's kind): deploy states
/// by their names, the other enums in lower case, as their JSON names are.
/// </summary>
public static class WireNames
{
    public static string Of(DeployState state) => state.ToString();

    public static string Of(DeployKind kind) => kind.ToString().ToLowerInvariant();

    public static string Of(StepKind kind) => kind.ToString().ToLowerInvariant();

    public static string Of(StepStatus status) => status.ToString().ToLowerInvariant();

    public static string Of(JudgeOutcome outcome) => outcome.ToString().ToLowerInvariant();

    /// <summary>Reads an enum from its text; a text that names no member is a bug of the store, not an expected failure.</summary>
    public static T Parse<T>(string text) where T : struct, Enum =>
        TryParse<T>(text, out var value) ? value : throw new FormatException($"'{text}' is not a {typeof(T).Name}");

    /// <summary>
    /// Reads an enum from a member's name, case aside, and nothing else: no numbers, no comma lists
    /// (which <see cref="Enum.TryParse{TEnum}(string, bool, out TEnum)"/> would combine into another member).
    /// </summary>
    public static bool TryParse<T>(string text, out T value) where T : struct, Enum
    {
        foreach (var member in Enum.GetValues<T>())
            if (string.Equals(member.ToString(), text, StringComparison.OrdinalIgnoreCase))
            {
                value = member;
                return true;
            }
        value = default;
        return false;
    }
}
