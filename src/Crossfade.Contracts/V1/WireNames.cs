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

    /// <summary>Reads an enum from its text; a text that names no member is a bug of the store, not an expected failure.</summary>
    public static T Parse<T>(string text) where T : struct, Enum =>
        TryParse<T>(text, out var value) ? value : throw new FormatException($"'{text}' is not a {typeof(T).Name}");

    public static bool TryParse<T>(string text, out T value) where T : struct, Enum =>
        Enum.TryParse(text, ignoreCase: true, out value) && Enum.IsDefined(value) && !text.Any(char.IsDigit);
}
