using Crossfade.Contracts.V1;
using Crossfade.Core.Artifacts;

namespace Crossfade.Core.Builds;

/// <summary>
/// What a build from source came to: the commit built (once resolved) and its subject, the release version it
/// is named, and either the packed archive or why there is none.
/// </summary>
public sealed record SourceBuildOutcome(string? Sha, string? Message, string? Version, string? ArchivePath, string? Failure, bool Superseded = false)
{
    public bool Made => ArchivePath is not null;
}

/// <summary>
/// Builds one commit in a clean workspace, wherever it runs (the server, or a host with the <c>builder</c>
/// role): clones the repository, resolves the ref, checks the commit out, runs the command in a process group
/// of its own with everything it prints handed to <c>log</c>, and packs the output folder as a release
/// archive. Checking and storing that archive is the caller's part.
/// </summary>
public sealed class SourceBuild(TimeProvider time)
{
    /// <summary>The release archive's name in the workspace.</summary>
    public const string ArchiveName = "release.tar.gz";

    /// <summary>
    /// Runs the build in <paramref name="workspace"/> (emptied first). <paramref name="resolved"/> hears of the
    /// commit, its subject and the version as soon as they are known, before the command runs.
    /// </summary>
    public async Task<SourceBuildOutcome> RunAsync(
        BuildWork work, string workspace, Action<string> log, Func<string, string, string, Task> resolved, CancellationToken ct)
    {
        WorkspaceFolder.Remove(workspace);
        Directory.CreateDirectory(workspace);
        var source = Path.Combine(workspace, "src");
        var timeout = TimeSpan.FromSeconds(work.TimeoutSeconds);
        var started = time.GetUtcNow();
        TimeSpan Left() => Positive(timeout - (time.GetUtcNow() - started));

        log($"$ git clone {work.Repository}");
        if (await GitAsync(workspace, log, Left(), ct, "clone", "--quiet", "--no-checkout", "--", work.Repository, "src") != 0)
            return Failed(null, null, $"git could not clone {work.Repository}");
        var sha = await ResolveAsync(source, work, log, Left(), ct);
        if (sha is null)
            return Failed(null, null, $"the repository has no commit for '{work.Ref}'");
        // A push of a branch builds the branch as it stands: a replayed old push (its body is signed,
        // its delivery id is not) must not bring an old commit back.
        if (work.Sha is not null && work.Ref.StartsWith(GitRefs.BranchPrefix, StringComparison.Ordinal)
            && await GitOutputAsync(source, Left(), ct, "rev-parse", "--verify", "--quiet", "--end-of-options", "refs/remotes/origin/" + work.Ref[GitRefs.BranchPrefix.Length..] + "^{commit}") is { Length: 40 } head
            && head != sha)
            return new SourceBuildOutcome(sha, null, null, null, $"{work.Ref} has moved on to {head[..12]}: this push is not its head any more, and a newer push builds it", Superseded: true);
        if (await GitAsync(source, log, Left(), ct, "checkout", "--quiet", "--detach", sha) != 0)
            return Failed(sha, null, $"git could not check out {sha}");
        var message = await GitOutputAsync(source, Left(), ct, "log", "-1", "--format=%s", sha);
        var version = GitRefs.VersionFor(work.Ref, sha);
        await resolved(sha, message, version);

        log($"$ {work.Command}");
        var env = new Dictionary<string, string>
        {
            ["CROSSFADE_BUILD_REF"] = work.Ref, ["CROSSFADE_BUILD_SHA"] = sha, ["CROSSFADE_BUILD_VERSION"] = version,
        };
        var exit = await BuildShell.RunAsync("/bin/sh", ["-c", work.Command], source, env, log, Left(), time, ct);
        if (exit != 0)
            return Failed(sha, message, exit == -1 ? $"the build took longer than its {work.TimeoutSeconds} s" : $"the build command exited with {exit}");
        var output = Path.GetFullPath(Path.Combine(source, work.Output));
        if (!Directory.Exists(output))
            return Failed(sha, message, $"the build left no folder '{work.Output}' to release");
        var real = new DirectoryInfo(output).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? output;
        var root = Path.GetFullPath(source);
        if (real != root && !real.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            return Failed(sha, message, $"'{work.Output}' leads outside the repository");
        var archive = Path.Combine(workspace, ArchiveName);
        await using (var file = File.Create(archive))
            ArchivePacker.Pack(real, file);
        return new SourceBuildOutcome(sha, message, version, archive, null);

        SourceBuildOutcome Failed(string? commit, string? subject, string why) =>
            new(commit, subject, commit is null ? null : GitRefs.VersionFor(work.Ref, commit), null, why);
    }

    /// <summary>The commit to build: the one the push named, or the ref (a tag, a branch, a commit id) as the repository has it.</summary>
    private async Task<string?> ResolveAsync(string source, BuildWork work, Action<string> log, TimeSpan left, CancellationToken ct)
    {
        var candidates = work.Sha is not null ? [work.Sha]
            : work.Ref.StartsWith(GitRefs.BranchPrefix, StringComparison.Ordinal) ? ["refs/remotes/origin/" + work.Ref[GitRefs.BranchPrefix.Length..]]
            : work.Ref.StartsWith(GitRefs.TagPrefix, StringComparison.Ordinal) ? [work.Ref]
            : new[] { "refs/tags/" + work.Ref, "refs/remotes/origin/" + work.Ref, work.Ref };
        foreach (var candidate in candidates)
        {
            var sha = await GitOutputAsync(source, left, ct, "rev-parse", "--verify", "--quiet", "--end-of-options", candidate + "^{commit}");
            if (GitRefs.IsSha(sha))
                return sha;
        }
        log($"'{work.Sha ?? work.Ref}' is not a commit, branch or tag of the repository");
        return null;
    }

    private Task<int> GitAsync(string directory, Action<string> log, TimeSpan left, CancellationToken ct, params string[] arguments) =>
        BuildShell.RunAsync("git", arguments, directory, GitEnv, log, left, time, ct);

    private async Task<string> GitOutputAsync(string directory, TimeSpan left, CancellationToken ct, params string[] arguments)
    {
        var lines = new List<string>();
        await BuildShell.RunAsync("git", arguments, directory, GitEnv, line => { lock (lines) lines.Add(line); }, left, time, ct);
        lock (lines)
            return lines.LastOrDefault()?.Trim() ?? "";
    }

    // Never a prompt for a password (a build has no one to answer it), never the user's global settings.
    private static readonly Dictionary<string, string> GitEnv = new()
    {
        ["GIT_TERMINAL_PROMPT"] = "0", ["GIT_CONFIG_NOSYSTEM"] = "1", ["GIT_CONFIG_GLOBAL"] = "/dev/null", ["GIT_ASKPASS"] = "/bin/false",
    };

    private static TimeSpan Positive(TimeSpan left) => left > TimeSpan.FromSeconds(1) ? left : TimeSpan.FromSeconds(1);
}
