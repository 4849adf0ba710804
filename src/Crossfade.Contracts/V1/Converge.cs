namespace Crossfade.Contracts.V1;

/// <summary>
/// One host's converge, rendered by the server: the resources in order, every template filled in.
/// It travels only on the agent API and is never stored, because it may hold secret values.
/// </summary>
public sealed record ConvergePlan(
    IReadOnlyList<ConvergeResource> Resources,
    bool WhyRun,
    string ReloadMode,
    IReadOnlyList<string> Redact);

/// <summary>How a converge treats a notified app reload.</summary>
public static class ReloadModes
{
    /// <summary>Reload the app now through the zero-downtime path (a converge outside a deploy).</summary>
    public const string Now = "now";

    /// <summary>The deploy's cutover starts new instances that read the new configuration: nothing more to do.</summary>
    public const string ByCutover = "cutover";
}

/// <summary>The resource types a converge knows.</summary>
public static class ResourceTypes
{
    public const string File = "file";
    public const string Directory = "directory";
    public const string Link = "link";
    public const string Command = "command";
}

/// <summary>
/// One declared resource, concrete for one host. Paths are absolute on the host. <paramref name="Id"/>
/// reads as <c>file[settings/app.json]</c> in reports.
/// </summary>
public sealed record ConvergeResource(
    string Id,
    string Type,
    string Path,
    string? Content = null,
    string? Mode = null,
    string? Target = null,
    string? Run = null,
    string? Creates = null,
    string? Unless = null,
    string? OnlyIf = null,
    bool OnlyWhenNotified = false,
    IReadOnlyList<string>? Notifies = null);

/// <summary>What a converge did, or with why-run would do, on one host.</summary>
public sealed record ConvergeReport(
    string Host,
    bool WhyRun,
    IReadOnlyList<ResourceReport> Resources,
    IReadOnlyList<string> Notified)
{
    public int Changed => Resources.Count(r => r.Status == ResourceStatus.Changed);

    public int Failed => Resources.Count(r => r.Status == ResourceStatus.Failed);

    /// <summary>One line for the timeline: "web-2: 2 of 9 resources changed".</summary>
    public string Summary =>
        $"{Host}: {Changed} of {Resources.Count} resources {(WhyRun ? "would change" : "changed")}"
        + (Failed > 0 ? $", {Failed} failed" : "")
        + (Notified.Count > 0 ? $"; {(WhyRun ? "would notify" : "notified")} {string.Join(", ", Notified)}" : "");
}

/// <summary>One resource's outcome: what changed (a unified diff for files) or why it failed.</summary>
public sealed record ResourceReport(string Id, string Status, string? Detail = null, string? Diff = null);

/// <summary>A resource's outcome in a converge report.</summary>
public static class ResourceStatus
{
    public const string Unchanged = "unchanged";
    public const string Changed = "changed";
    public const string Failed = "failed";

    /// <summary>Not run: a guard said no, or a command waits for a notification that did not come.</summary>
    public const string Skipped = "skipped";
}
