using System.Globalization;
using Crossfade.Contracts.V1;
using Crossfade.Core.Builds;
using Crossfade.Core.Specs;
using Crossfade.Server.Releases;
using Crossfade.Server.Storage;

namespace Crossfade.Server.Builds;

/// <summary>
/// Runs one build on the server, in a clean workspace of its data folder (<see cref="SourceBuild"/>), then
/// checks the archive exactly as an upload is checked and records it as a release. What the build then
/// deploys is the <see cref="BuildWorker"/>'s part.
/// </summary>
public sealed class BuildRunner(IStore store, ReleaseUpload upload, ServerOptions options, TimeProvider time)
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
            var outcome = await new SourceBuild(time).RunAsync(Work(build, spec), workspace, log.Write, async (sha, message, version) =>
            {
                build = build with { Sha = sha, Message = message, Version = version };
                await store.UpdateBuildAsync(build, CancellationToken.None);
            }, ct);
            if (!outcome.Made)
                return (null, outcome.Superseded ? build with { State = BuildStates.Superseded } : build, outcome.Failure);
            await using var archive = File.OpenRead(outcome.ArchivePath!);
            var received = await upload.ReceiveAsync(archive, archive.Length, ct);
            if (received.Error is not null)
                return (null, build, received.Error);
            var (release, failure) = await BuiltRelease.RecordAsync(store, build, received.Sha256!, received.Size, time, log.Write);
            return (release, build, failure);
        }
        finally
        {
            await pumping.CancelAsync();
            await pump.ContinueWith(_ => { }, TaskScheduler.Default);
            WorkspaceFolder.Remove(workspace);
        }
    }

    /// <summary>What to build, as a builder host is told it too.</summary>
    public static BuildWork Work(BuildRecord build, BuildSpec spec) =>
        new(build.Id, build.App, build.Ref, build.Sha, spec.Repository, spec.Command, spec.Output, spec.TimeoutSeconds);
}
