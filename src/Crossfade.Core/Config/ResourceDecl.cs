namespace Crossfade.Core.Config;

/// <summary>
/// A resource as declared in the app's config file, before variables are filled in. <see cref="Line"/>
/// points at its declaration, for errors found later (a missing template, a duplicate path).
/// </summary>
public sealed record ResourceDecl(
    string Type,
    string Name,
    int Line,
    int Column,
    string? Content = null,
    string? Template = null,
    string? Mode = null,
    string? Target = null,
    string? Run = null,
    string? Creates = null,
    string? Unless = null,
    string? OnlyIf = null,
    bool OnlyWhenNotified = false,
    IReadOnlyList<string>? Notifies = null)
{
    /// <summary>How reports name it: <c>file[settings/app.json]</c>.</summary>
    public string Id => $"{Type}[{Name}]";
}

/// <summary>A parsed config file: its resources in the order they are applied.</summary>
public sealed record ConfigFile(string Path, IReadOnlyList<ResourceDecl> Resources)
{
    /// <summary>The templates the resources read, as paths inside the release.</summary>
    public IEnumerable<string> TemplatePaths => Resources.Where(r => r.Template is not null).Select(r => r.Template!).Distinct(StringComparer.Ordinal);
}
