using Crossfade.Contracts.V1;
using Crossfade.Core.Builds;
using Crossfade.Core.Specs;
using Crossfade.Server.Storage;

namespace Crossfade.Server.Builds;

/// <summary>
/// Runs a build on a host with the <c>builder</c> role: picks an online builder (the one holding the fewest
/// builds), offers it the build, and waits for its result while the host streams the output and sends the
/// archive, which the server checks and stores exactly as an upload. A builder that never takes the build,
/// goes silent, or overruns the build's timeout fails the build, saying which and why.
/// </summary>
public sealed class BuilderRunner(IStore store, BuilderBoard board, ServerOptions options, TimeProvider time)
{
    /// <summary>The host role that builds.</summary>
    public const string Role = BuildSpec.OnBuilder;

    /// <summary>How often the wait looks at the builder's health between its reports.</summary>
    private static readonly TimeSpan Look = TimeSpan.FromSeconds(2);

    public async Task<(ReleaseRecord? Release, BuildRecord Build, string? Failure)> RunAsync(BuildRecord build, BuildSpec spec, CancellationToken ct)
    {
        var log = new BuildLog(store, build.Id, time);
        using var pumping = new CancellationTokenSource();
        var pump = log.PumpAsync(pumping.Token);
        try
        {
            var host = await PickAsync(ct);
            if (host is null)
            {
                log.Write($"no host with the role '{Role}' is online");
                return (null, build, $"no host with the role '{Role}' is online: start an agent with '--roles {Role}', or build on the server (build.runs_on: server)");
            }
            build = build with { Host = host };
            await store.UpdateBuildAsync(build, CancellationToken.None);
            log.Write($"handed to builder host {host}");
            var handed = board.Offer(host, BuildRunner.Work(build, spec), log);
            try
            {
                var (result, failure) = await WaitAsync(handed, spec, ct);
                if (result is null)
                    return (null, build, failure);
                return await EndAsync(build, handed, result, log);
            }
            finally
            {
                board.Withdraw(build.Id);
            }
        }
        finally
        {
            await pumping.CancelAsync();
            await pump.ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    /// <summary>The online host with the builder role holding the fewest builds (by name on a tie); none when no builder is online.</summary>
    private async Task<string?> PickAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow();
        return (await store.ListHostsAsync(ct))
            .Where(h => h.Roles.Contains(Role, StringComparer.Ordinal) && h.LastSeen is { } seen && now - seen <= options.OfflineAfter)
            .OrderBy(h => board.HeldBy(h.Name)).ThenBy(h => h.Name, StringComparer.Ordinal)
            .Select(h => h.Name).FirstOrDefault();
    }

    private async Task<(BuildResult? Result, string? Failure)> WaitAsync(HandedBuild handed, BuildSpec spec, CancellationToken ct)
    {
        // The build's own timeout runs on the builder; this bound is for a builder that stopped keeping it.
        var deadline = handed.OfferedAt + TimeSpan.FromSeconds(spec.TimeoutSeconds) + options.OfflineAfter;
        while (true)
        {
            using var look = CancellationTokenSource.CreateLinkedTokenSource(ct);
            var ended = await Task.WhenAny(handed.Result, Task.Delay(Look, time, look.Token).ContinueWith(_ => { }, TaskScheduler.Default));
            await look.CancelAsync();
            if (ended == handed.Result)
                return (await handed.Result, null);
            if (ct.IsCancellationRequested)
                return (null, "the server stopped while the builder ran it; start it again with 'crossfade build'");
            var now = time.GetUtcNow();
            if (!handed.Taken && now - handed.OfferedAt > options.OfflineAfter)
                return (null, $"builder host {handed.Host} did not take the build within {options.OfflineAfter.TotalSeconds:0} s");
            if (now > deadline)
                return (null, $"builder host {handed.Host} did not finish within the build's {spec.TimeoutSeconds} s");
            // A builder building says so every few seconds (output, or an empty batch); an agent that restarted
            // polls for steps again but never speaks of this build, so its polls do not count.
            if (handed.Taken && now - handed.LastHeard > options.OfflineAfter)
                return (null, $"builder host {handed.Host} went silent while it built (last heard {(now - handed.LastHeard).TotalSeconds:0} s ago)");
        }
    }

    /// <summary>The builder's result made a release of the archive it sent, or is the build's failure.</summary>
    private async Task<(ReleaseRecord?, BuildRecord, string?)> EndAsync(BuildRecord build, HandedBuild handed, BuildResult result, BuildLog log)
    {
        if (build.Sha is { } pushed && result.Sha is { } other && other != pushed)
            return (null, build, $"builder host {handed.Host} reported commit {other}, not the pushed {pushed}");
        if (result.Sha is { } sha)
        {
            build = build with { Sha = sha, Message = result.Message, Version = GitRefs.VersionFor(build.Ref, sha) };
            await store.UpdateBuildAsync(build, CancellationToken.None);
        }
        if (result.Superseded)
            return (null, build with { State = BuildStates.Superseded }, result.Failure ?? "superseded");
        if (!result.Succeeded)
            return (null, build, result.Failure ?? $"builder host {handed.Host} said the build failed");
        if (handed.Archive is not { } archive || archive.Sha256 != result.ArchiveSha256 || build.Sha is null)
            return (null, build, $"builder host {handed.Host} reported a release it did not send");
        var (release, failure) = await BuiltRelease.RecordAsync(store, build, archive.Sha256, archive.Size, time, log.Write);
        return (release, build, failure);
    }
}
