using System.Globalization;
using System.Security.Cryptography;
using Crossfade.Contracts.V1;
using Crossfade.Core.Artifacts;
using Crossfade.Core.Builds;
using Crossfade.Core.Specs;
using Crossfade.Server.Releases;
using Crossfade.Server.Storage;

namespace Crossfade.Server.Builds;

/// <summary>
/// Runs one build in a clean workspace: clones the spec's repository, checks out the commit, runs the
/// build command with its output streamed to the build's log, packs the output folder as a release
/// (checked as an upload is) and records it with its commit and message. What the build then deploys is
/// the <see cref="BuildWorker"/>'s part.
/// </summary>
public sealed class BuildRunner(IStore store, ArtifactStore artifacts, ServerOptions options, TimeProvider time)
{
    /// <summary>The release the build made, or why it failed (with everything said in its log).</summary>
    public async Task<(ReleaseRecord? Release, BuildRecord Build, string? Failure)> RunAsync(BuildRecord build, BuildSpec spec, CancellationToken ct)
    {
        var log = new BuildLog(store, build.Id, time);
        using var pumping = new CancellationTokenSource();
        var pump = log.PumpAsync(pumping.Token);
        var workspace = Path.Combine(options.DataDir, "builds", build.Id.ToString(CultureInfo.InvariantCulture));
        try
        {
            return await BuildAsync(build, spec, workspace, log, ct);
        }
        finally
        {
            await pumping.CancelAsync();
            await pump.ContinueWith(_ => { }, TaskScheduler.Default);
            Remove(workspace);
        }
    }

    /// <summary>Removes a workspace, best effort: a tool that left read-only folders must not turn a good build into a failed one.</summary>
    private static void Remove(string workspace)
    {
        try
        {
            if (!Directory.Exists(workspace))
                return;
            foreach (var folder in Directory.EnumerateDirectories(workspace, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 }))
                File.SetUnixFileMode(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            Directory.Delete(workspace, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Left behind; the next build of the same id never comes, and the folder is the operator's to clear.
        }
    }

    private async Task<(ReleaseRecord?, BuildRecord, string?)> BuildAsync(BuildRecord build, BuildSpec spec, string workspace, BuildLog log, CancellationToken ct)
    {
        Remove(workspace);
        Directory.CreateDirectory(workspace);
        var source = Path.Combine(workspace, "src");
        var timeout = TimeSpan.FromSeconds(spec.TimeoutSeconds);
        var started = time.GetUtcNow();
        TimeSpan Left() => timeout - (time.GetUtcNow() - started);

        log.Write($"$ git clone {spec.Repository}");
        if (await GitAsync(workspace, log, Left(), ct, "clone", "--quiet", "--no-checkout", "--", spec.Repository, "src") != 0)
            return (null, build, $"git could not clone {spec.Repository}");
        var sha = await ResolveAsync(source, build, log, Left(), ct);
        if (sha is null)
            return (null, build, $"the repository has no commit for '{build.Ref}'");
        // A push of a branch builds the branch as it stands: a replayed old push (its body is signed,
        // its delivery id is not) must not bring an old commit back.
        if (build.Sha is not null && build.Ref.StartsWith(GitRefs.BranchPrefix, StringComparison.Ordinal)
            && await GitOutputAsync(source, Left(), ct, "rev-parse", "--verify", "--quiet", "--end-of-options", "refs/remotes/origin/" + build.Ref[GitRefs.BranchPrefix.Length..] + "^{commit}") is { Length: 40 } head
            && head != sha)
            return (null, build with { State = BuildStates.Superseded }, $"{build.Ref} has moved on to {head[..12]}: this push is not its head any more, and a newer push builds it");
        build = build with { Sha = sha };
        if (await GitAsync(source, log, Left(), ct, "checkout", "--quiet", "--detach", sha) != 0)
            return (null, build, $"git could not check out {sha}");
        var message = await GitOutputAsync(source, Left(), ct, "log", "-1", "--format=%s", sha);
        var version = GitRefs.VersionFor(build.Ref, sha);
        build = build with { Message = message, Version = version };
        await store.UpdateBuildAsync(build, CancellationToken.None);

        log.Write($"$ {spec.Command}");
        var env = new Dictionary<string, string>
        {
            ["CROSSFADE_BUILD_REF"] = build.Ref, ["CROSSFADE_BUILD_SHA"] = sha, ["CROSSFADE_BUILD_VERSION"] = version,
        };
        var exit = await BuildShell.RunAsync("/bin/sh", ["-c", spec.Command], source, env, log.Write, Positive(Left()), time, ct);
        if (exit != 0)
            return (null, build, exit == -1 ? $"the build took longer than its {spec.TimeoutSeconds} s" : $"the build command exited with {exit}");
        var (release, failure) = await PackAsync(build, spec, source, log, ct);
        return (release, build, failure);
    }

    /// <summary>The commit to build: the one the push named, or the ref (a tag, a branch, a commit id) as the repository has it.</summary>
    private async Task<string?> ResolveAsync(string source, BuildRecord build, BuildLog log, TimeSpan left, CancellationToken ct)
    {
        var name = build.Sha ?? build.Ref;
        var candidates = build.Sha is not null ? [build.Sha]
            : build.Ref.StartsWith(GitRefs.BranchPrefix, StringComparison.Ordinal) ? ["refs/remotes/origin/" + build.Ref[GitRefs.BranchPrefix.Length..]]
            : build.Ref.StartsWith(GitRefs.TagPrefix, StringComparison.Ordinal) ? [build.Ref]
            : new[] { "refs/tags/" + build.Ref, "refs/remotes/origin/" + build.Ref, build.Ref };
        foreach (var candidate in candidates)
        {
            var sha = await GitOutputAsync(source, left, ct, "rev-parse", "--verify", "--quiet", "--end-of-options", candidate + "^{commit}");
            if (GitRefs.IsSha(sha))
                return sha;
        }
        log.Write($"'{name}' is not a commit, branch or tag of the repository");
        return null;
    }

    private async Task<(ReleaseRecord?, string?)> PackAsync(BuildRecord build, BuildSpec spec, string source, BuildLog log, CancellationToken ct)
    {
        var output = Path.GetFullPath(Path.Combine(source, spec.Output));
        if (!Directory.Exists(output))
            return (null, $"the build left no folder '{spec.Output}' to release");
        var real = new DirectoryInfo(output).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? output;
        if (real != Path.GetFullPath(source) && !real.StartsWith(Path.GetFullPath(source) + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            return (null, $"'{spec.Output}' leads outside the repository");
        var staging = artifacts.NewStagingPath();
        try
        {
            await using (var file = File.Create(staging))
                ArchivePacker.Pack(real, file);
            var size = new FileInfo(staging).Length;
            if (size > options.MaxUploadBytes)
                return (null, $"the release is {size} bytes; the limit is {options.MaxUploadBytes}");
            await using (var check = File.OpenRead(staging))
            {
                if (ArchiveCheck.Inspect(check, options.Releases) is { Count: > 0 } problems)
                    return (null, "the release was refused: " + string.Join("; ", problems.Take(10)));
            }
            string sha256;
            await using (var read = File.OpenRead(staging))
                sha256 = Convert.ToHexStringLower(await SHA256.HashDataAsync(read, ct));
            artifacts.Commit(staging, sha256);
            var release = new ReleaseRecord(build.App, build.Version!, sha256, size, build.Sha, build.Message, build.RequestedBy, time.GetUtcNow());
            if (!await store.AddReleaseAsync(release, CancellationToken.None))
            {
                var existing = (await store.GetReleaseAsync(build.App, build.Version!, CancellationToken.None))!;
                if (existing.Commit != build.Sha)
                    return (null, $"release {build.Version} exists already, built from {existing.Commit ?? "an upload"}, not {build.Sha}");
                log.Write($"release {build.Version} of this commit exists already ({existing.Sha256[..12]}); it is the one deployed");
                return (existing, null);
            }
            log.Write($"released {release.Version}: {size / 1024} KiB, sha256 {sha256}");
            return (release, null);
        }
        finally
        {
            if (File.Exists(staging))
                File.Delete(staging);
        }
    }

    private Task<int> GitAsync(string directory, BuildLog log, TimeSpan left, CancellationToken ct, params string[] arguments) =>
        BuildShell.RunAsync("git", arguments, directory, GitEnv, log.Write, Positive(left), time, ct);

    private async Task<string> GitOutputAsync(string directory, TimeSpan left, CancellationToken ct, params string[] arguments)
    {
        var lines = new List<string>();
        await BuildShell.RunAsync("git", arguments, directory, GitEnv, line => { lock (lines) lines.Add(line); }, Positive(left), time, ct);
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
