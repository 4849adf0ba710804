namespace Crossfade.Core.Config;

/// <summary>
/// The <c>config:</c> section of <c>crossfade.yml</c>: where the resources file lies inside the release,
/// the app-wide variables, and the names of the secrets it needs (their values live on the server).
/// </summary>
public sealed record ConfigDeclaration(
    string File,
    IReadOnlyDictionary<string, string> Variables,
    IReadOnlyList<string> Secrets,
    int Line);
