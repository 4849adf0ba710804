using System.Text.Json;

namespace Crossfade.Server.Hooks;

/// <summary>What a push says, whichever forge sent it: the ref, the commit it now points to, and who pushed.</summary>
public sealed record PushEvent(string Ref, string Sha, string Pusher, bool Deleted)
{
    private const string NoCommit = "0000000000000000000000000000000000000000";

    /// <summary>GitHub's push payload; null with what is missing when it is not one.</summary>
    public static (PushEvent? Push, string? Problem) FromGitHub(JsonElement root) =>
        Read(root, "after", root.TryGetProperty("pusher", out var p) && p.ValueKind == JsonValueKind.Object ? Text(p, "name") : null,
            root.TryGetProperty("deleted", out var d) && d.ValueKind == JsonValueKind.True);

    /// <summary>GitLab's push or tag push payload.</summary>
    public static (PushEvent? Push, string? Problem) FromGitLab(JsonElement root) =>
        Read(root, Text(root, "checkout_sha") is not null ? "checkout_sha" : "after", Text(root, "user_username") ?? Text(root, "user_name"), false);

    private static (PushEvent?, string?) Read(JsonElement root, string shaField, string? pusher, bool deleted)
    {
        if (root.ValueKind != JsonValueKind.Object)
            return (null, "the body is not a JSON object");
        var gitRef = Text(root, "ref");
        var sha = Text(root, shaField);
        if (gitRef is null || sha is null)
            return (null, $"the push names no 'ref' or no '{shaField}'");
        return (new PushEvent(gitRef, sha, pusher ?? "someone", deleted || sha == NoCommit), null);
    }

    private static string? Text(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String && v.GetString() is { Length: > 0 } s ? s : null;
}
