using Crossfade.Contracts.V1;

namespace Crossfade.Server.Storage;

/// <summary>
/// Everything the server keeps. The embedded default is SQLite; nothing outside Storage/ may assume it.
/// </summary>
public interface IStore
{
    Task UpsertAppAsync(AppRecord app, CancellationToken ct);
    Task<AppRecord?> GetAppAsync(string name, CancellationToken ct);
    Task<IReadOnlyList<AppRecord>> ListAppsAsync(CancellationToken ct);

    /// <summary>Adds a release; false when that version of the app exists already.</summary>
    Task<bool> AddReleaseAsync(ReleaseRecord release, CancellationToken ct);
    Task<ReleaseRecord?> GetReleaseAsync(string app, string version, CancellationToken ct);
    Task<IReadOnlyList<ReleaseRecord>> ListReleasesAsync(string app, CancellationToken ct);
    Task<bool> ArtifactReferencedAsync(string sha256, CancellationToken ct);

    Task AddTokenAsync(TokenRecord token, CancellationToken ct);
    Task<TokenRecord?> FindTokenAsync(string hash, CancellationToken ct);
    /// <summary>Deletes a token: an enrollment token used once, or any token revoked; false when there was none.</summary>
    Task<bool> DeleteTokenAsync(string hash, CancellationToken ct);
    Task<IReadOnlyList<TokenRecord>> ListTokensAsync(CancellationToken ct);

    Task UpsertHostAsync(string name, IReadOnlyList<string> roles, DateTimeOffset at, CancellationToken ct);
    /// <summary>Records a host's heartbeat: when, the releases it serves, and (when the agent reports them) its processes.</summary>
    Task TouchHostAsync(string name, string liveReleasesJson, DateTimeOffset at, CancellationToken ct, string? instancesJson = null, string? agentVersion = null);
    Task<IReadOnlyList<HostRecord>> ListHostsAsync(CancellationToken ct);

    /// <summary>Records the platform and hash of the binary a host's agent runs (a write only when they changed); says whether an upgrade is wanted of it.</summary>
    Task<bool> ReportBinaryAsync(string name, string rid, string sha256, CancellationToken ct);

    /// <summary>Asks a host's agent to take the server's binary for its platform (or withdraws the ask once it has).</summary>
    Task SetUpgradeWantedAsync(string name, bool wanted, CancellationToken ct);

    /// <summary>
    /// Takes a host off the server with its tokens (its agent's, and enrollment tokens made for it), in one
    /// transaction — unless an unfinished deploy has steps on it, which the same transaction checks (nothing
    /// is removed then, and those deploys are named).
    /// </summary>
    Task<HostRemoval> RemoveHostAsync(string name, CancellationToken ct);

    /// <summary>
    /// Creates a queued deploy unless another one of the same app and environment is still running;
    /// then returns that one instead, with <c>Created = false</c>. Atomic.
    /// </summary>
    /// <remarks>With <paramref name="queue"/>, a deploy is created even while another runs, and waits its turn.</remarks>
    Task<(DeployRecord Deploy, bool Created)> CreateDeployAsync(DeployRecord draft, string? idempotencyKey, bool queue, CancellationToken ct);

    /// <summary>
    /// Takes (or renews) the lease on an unfinished deploy for <paramref name="owner"/>: granted when nobody holds
    /// it, the owner holds it already, or the holder's heartbeat is older than <paramref name="expiry"/>.
    /// </summary>
    Task<bool> ClaimDeployAsync(long id, string owner, DateTimeOffset now, TimeSpan expiry, CancellationToken ct);

    /// <summary>The unfinished deploy of the same app and environment that runs before this one, if any.</summary>
    Task<DeployRecord?> DeployAheadAsync(DeployRecord deploy, CancellationToken ct);
    Task<DeployRecord?> GetDeployAsync(long id, CancellationToken ct);
    /// <summary>An app's deploys, newest first; only one environment's when <paramref name="environment"/> is given.</summary>
    Task<IReadOnlyList<DeployRecord>> ListDeploysAsync(string app, int limit, CancellationToken ct, string? environment = null);
    Task<IReadOnlyList<DeployRecord>> ListUnfinishedDeploysAsync(CancellationToken ct);
    /// <summary>Fixes what a queued deploy goes from and to, once it starts.</summary>
    Task SetDeployVersionsAsync(long id, string version, string? fromVersion, CancellationToken ct);
    Task SetDeployStateAsync(long id, DeployState state, string? reason, DateTimeOffset at, bool finished, CancellationToken ct);

    /// <summary>
    /// Records a request to the hold (<paramref name="phase"/>: Canary, Verifying) of a running deploy —
    /// promote, rollback — unless that hold has closed; the first of each kind stands. Stored, so it reaches
    /// the deploy whichever server process runs it, and survives a restart. False when the hold had closed.
    /// </summary>
    Task<bool> AddDeployRequestAsync(long deployId, DeployRequestKind kind, DeployState phase, string requestedBy, DateTimeOffset at, CancellationToken ct);

    /// <summary>Closes a deploy's hold: requests to it are refused from now on (in the same transaction as they are checked).</summary>
    Task CloseHoldAsync(long deployId, DeployState phase, DateTimeOffset at, CancellationToken ct);

    /// <summary>The requests made to a deploy: kind → who asked.</summary>
    Task<IReadOnlyDictionary<DeployRequestKind, string>> ListDeployRequestsAsync(long deployId, CancellationToken ct);
    Task StartPhaseAsync(long deployId, DeployState phase, DateTimeOffset at, CancellationToken ct);
    Task EndPhaseAsync(long deployId, DeployState phase, DateTimeOffset at, CancellationToken ct);
    Task<IReadOnlyList<PhaseRecord>> ListPhasesAsync(long deployId, CancellationToken ct);

    /// <summary>The phases of several deploys in one query (a history page), in each deploy's order.</summary>
    Task<IReadOnlyList<PhaseRecord>> ListPhasesAsync(IReadOnlyCollection<long> deployIds, CancellationToken ct);

    /// <summary>The version each host of the environment serves after the last deploy that ended well.</summary>
    Task<string?> GetLiveVersionAsync(string app, string environment, CancellationToken ct);
    Task SetLiveVersionAsync(string app, string environment, string version, long deployId, CancellationToken ct);
    /// <summary>The versions that were live before the current one, newest first.</summary>
    Task<IReadOnlyList<string>> ListPastLiveVersionsAsync(string app, string environment, CancellationToken ct);

    Task<long> AddStepAsync(long deployId, string host, StepKind kind, string payloadJson, CancellationToken ct);
    Task<StepRecord?> GetStepAsync(long id, CancellationToken ct);

    /// <summary>The steps with these ids, in one query, without their payloads (a running deploy reading how its steps stand).</summary>
    Task<IReadOnlyList<StepRecord>> GetStepsAsync(IReadOnlyCollection<long> ids, CancellationToken ct);
    Task<IReadOnlyList<StepRecord>> ListStepsAsync(long deployId, CancellationToken ct);

    /// <summary>The steps of several deploys in one query (a history page), in each deploy's order.</summary>
    Task<IReadOnlyList<StepRecord>> ListStepsAsync(IReadOnlyCollection<long> deployIds, CancellationToken ct);
    /// <summary>
    /// Puts a host's running steps back to pending: called when its agent polls, which it does only when
    /// idle, so a step still running then was lost with an earlier agent process. Returns how many.
    /// </summary>
    Task<int> RequeueOrphanedStepsAsync(string host, CancellationToken ct);
    /// <summary>Hands the oldest pending step of a host to its agent, marking it running.</summary>
    Task<StepRecord?> TakeNextStepAsync(string host, DateTimeOffset at, CancellationToken ct);
    Task FinishStepAsync(long id, bool succeeded, string message, DateTimeOffset at, CancellationToken ct);
    Task AppendStepLogAsync(long stepId, IReadOnlyList<StepLogLine> lines, CancellationToken ct);
    Task<IReadOnlyList<(long StepId, long Seq, StepLogLine Line)>> ReadStepLogAsync(long deployId, string? host, long afterSeq, CancellationToken ct);

    Task SaveStepReportAsync(long id, string reportJson, CancellationToken ct);

    /// <summary>The deploy that last put a release (the live one when no version is given) in place: its config went out with it.</summary>
    Task<long?> GetLiveDeployIdAsync(string app, string environment, CancellationToken ct, string? version = null);
    Task SetDeployConfigAsync(long id, string configJson, CancellationToken ct);

    Task UpsertSecretAsync(SecretRecord secret, CancellationToken ct);
    Task<IReadOnlyList<SecretRecord>> ListSecretsAsync(string app, CancellationToken ct);
    Task<bool> DeleteSecretAsync(string app, string environment, string name, CancellationToken ct);

    Task<long> AddEventAsync(EventRecord record, CancellationToken ct);
    Task<IReadOnlyList<EventRecord>> ListEventsAsync(EventQuery query, CancellationToken ct);

    /// <summary>Stores a shipped batch whole, once: false when this host's batch of that sequence number is stored already.</summary>
    Task<bool> IngestAsync(IngestWrite write, CancellationToken ct);
    /// <summary>Request rollups in a range: per minute, or (for long ranges) per hour, whose Minute is the hour's first.</summary>
    Task<IReadOnlyList<MinuteRollup>> ListMinutesAsync(string app, string environment, DateTimeOffset from, DateTimeOffset to, CancellationToken ct, bool hourly = false);

    /// <summary>Requests per hour (every host, route and release together) from <paramref name="from"/> up to <paramref name="to"/>, by the hour's start.</summary>
    Task<IReadOnlyDictionary<DateTimeOffset, long>> ListHourlyRequestsAsync(string app, string environment, DateTimeOffset from, DateTimeOffset to, CancellationToken ct);
    Task<long> CountAccessRecordsAsync(string app, string? environment, DateTimeOffset? from, DateTimeOffset? to, CancellationToken ct);
    Task<IReadOnlyDictionary<string, long>> IngestCountersAsync(CancellationToken ct);
    Task AddIngestCountersAsync(IReadOnlyDictionary<string, long> counters, CancellationToken ct);

    /// <summary>Log lines by words, level, host and time, newest first; <see cref="SearchSyntaxException"/> when the words cannot be read as a search.</summary>
    Task<IReadOnlyList<StoredLogLine>> SearchLogsAsync(LogQuery query, CancellationToken ct);

    /// <summary>Routes whose first request in the environment came at or after <paramref name="since"/>, with their hits.</summary>
    Task<IReadOnlyList<(string Method, string Route, DateTimeOffset FirstSeen, long Hits)>> NewRoutesAsync(string app, string environment, DateTimeOffset since, CancellationToken ct);

    /// <summary>Deletes raw rows older than <paramref name="rawBefore"/> and rollups older than <paramref name="rollupsBefore"/>; returns how many rows went.</summary>
    Task<long> PruneTelemetryAsync(DateTimeOffset rawBefore, DateTimeOffset rollupsBefore, CancellationToken ct);

    /// <summary>Bytes the store's data takes (free pages, which the store reuses, not counted).</summary>
    Task<long> UsedBytesAsync(CancellationToken ct);

    /// <summary>Counts errors by fingerprint; returns the sightings whose fingerprint was never seen before.</summary>
    Task<IReadOnlyList<ErrorSighting>> RecordErrorsAsync(IReadOnlyList<ErrorSighting> sightings, CancellationToken ct);
    Task<IReadOnlyList<ErrorGroup>> TopErrorsAsync(string app, string environment, DateTimeOffset since, int limit, CancellationToken ct);

    /// <summary>Stores a verdict of the judge on a deploy.</summary>
    Task AddVerdictAsync(VerdictRecord verdict, CancellationToken ct);

    /// <summary>A deploy's verdicts, oldest first.</summary>
    Task<IReadOnlyList<VerdictRecord>> ListVerdictsAsync(long deployId, CancellationToken ct);

    /// <summary>The final verdicts of an environment's recent deploys, newest first.</summary>
    Task<IReadOnlyList<VerdictRecord>> ListFinalVerdictsAsync(string app, string environment, int limit, CancellationToken ct);

    /// <summary>
    /// The requests the given releases served in an environment from <paramref name="since"/> up to
    /// <paramref name="until"/>, leaving out those robots sent; with <paramref name="afterId"/>, only those
    /// stored after the one of that id (a judge looking again reads what arrived since its last look,
    /// late records of the window included: ids grow in the order records are stored).
    /// </summary>
    Task<IReadOnlyList<JudgedRequest>> ListJudgedRequestsAsync(
        string app, string environment, IReadOnlyList<string> releases, DateTimeOffset since, DateTimeOffset until, long afterId, CancellationToken ct);

    /// <summary>The error entries one log file of an environment held from <paramref name="since"/>, at most <paramref name="limit"/>, oldest (or newest) first.</summary>
    Task<IReadOnlyList<string>> ListErrorLinesAsync(string app, string environment, string file, DateTimeOffset since, int limit, CancellationToken ct, bool newestFirst = false);

    /// <summary>The newest deploy of every app and environment, and every deploy running or queued: the overview board, in one query.</summary>
    Task<IReadOnlyList<DeployRecord>> ListBoardDeploysAsync(CancellationToken ct);

    /// <summary>The release every app and environment serves, in one query.</summary>
    Task<IReadOnlyList<LiveVersion>> ListLiveVersionsAsync(CancellationToken ct);

    /// <summary>
    /// Requests in buckets of <paramref name="bucketMinutes"/> from the minute (or, with <paramref name="hourly"/>, hourly) rollups,
    /// of one app and environment or (null) of all: counts and merged histograms, one row per app, environment and bucket.
    /// </summary>
    Task<IReadOnlyList<SeriesPoint>> ListSeriesAsync(string? app, string? environment, DateTimeOffset from, DateTimeOffset to, int bucketMinutes, bool hourly, CancellationToken ct);

    /// <summary>Requests per route in the minutes (or hours) from <paramref name="from"/>'s to <paramref name="to"/>'s, both included, busiest first.</summary>
    Task<IReadOnlyList<RouteStats>> ListRouteStatsAsync(string app, string environment, DateTimeOffset from, DateTimeOffset to, bool hourly, CancellationToken ct);

    /// <summary>Deploys of any app matching a filter, newest first.</summary>
    Task<IReadOnlyList<DeployRecord>> ListDeploysAsync(DeployFilter filter, CancellationToken ct);

    /// <summary>Requests per minute of each of the given releases (a judged deploy's candidate and baseline), one row per release and minute.</summary>
    Task<IReadOnlyList<(string Release, SeriesPoint Point)>> ListReleaseSeriesAsync(
        string app, string environment, IReadOnlyCollection<string> releases, DateTimeOffset from, DateTimeOffset to, CancellationToken ct);

    /// <summary>Every app's secrets (the admin page lists their names), in one query.</summary>
    Task<IReadOnlyList<SecretRecord>> ListAllSecretsAsync(CancellationToken ct);

    /// <summary>Appends a record to the audit trail, numbered and chained to the one before it; returns it sealed.</summary>
    Task<Core.Audit.AuditEntry> AppendAuditAsync(Core.Audit.AuditEntry draft, CancellationToken ct);

    /// <summary>Audit records as asked for, newest first or in chain order.</summary>
    Task<IReadOnlyList<Core.Audit.AuditEntry>> ListAuditAsync(AuditQuery query, CancellationToken ct);

    /// <summary>Adds a freeze; returns its id.</summary>
    Task<long> AddFreezeAsync(Core.Freezes.Freeze freeze, CancellationToken ct);

    /// <summary>The freezes of an app (every app's when null), oldest first.</summary>
    Task<IReadOnlyList<Core.Freezes.Freeze>> ListFreezesAsync(string? app, CancellationToken ct);

    /// <summary>Removes a freeze; returns it, or null when there was none with that id.</summary>
    Task<Core.Freezes.Freeze?> DeleteFreezeAsync(long id, CancellationToken ct);

    /// <summary>
    /// Whether a deploy of <paramref name="version"/> — or of a release built from the same commit — to the
    /// environment succeeded (the promotion rule's evidence).
    /// </summary>
    Task<bool> SucceededInAsync(string app, string environment, string version, CancellationToken ct);

    /// <summary>Adds a scheduled deploy; returns its id.</summary>
    Task<long> AddScheduleAsync(ScheduleRecord schedule, CancellationToken ct);

    /// <summary>Scheduled deploys: of an app (every app's when null), the open ones only or every one, soonest first.</summary>
    Task<IReadOnlyList<ScheduleRecord>> ListSchedulesAsync(string? app, bool openOnly, CancellationToken ct);

    Task<ScheduleRecord?> GetScheduleAsync(long id, CancellationToken ct);

    /// <summary>Pending and waiting schedules whose time has come, soonest first.</summary>
    Task<IReadOnlyList<ScheduleRecord>> ListDueSchedulesAsync(DateTimeOffset now, CancellationToken ct);

    /// <summary>
    /// Moves a schedule from one of <paramref name="from"/> to <paramref name="state"/>, with its run time,
    /// deploy and reason; false when it was in none of them (another server or a cancel came first).
    /// </summary>
    Task<bool> MoveScheduleAsync(long id, IReadOnlyList<string> from, string state, DateTimeOffset runAt, long? deployId, string? reason, CancellationToken ct);

    /// <summary>
    /// Queues a build; a queued (not yet running) build of the same app and ref is superseded by it.
    /// Returns the build and the ids it superseded.
    /// </summary>
    Task<(BuildRecord Build, IReadOnlyList<long> Superseded)> QueueBuildAsync(BuildRecord draft, CancellationToken ct);

    /// <summary>Takes the oldest queued build whose app and ref has none running, marking it running; null when there is none.</summary>
    Task<BuildRecord?> ClaimBuildAsync(DateTimeOffset at, CancellationToken ct);

    /// <summary>Records what a build ended as (or what its commit turned out to be while it runs).</summary>
    Task UpdateBuildAsync(BuildRecord build, CancellationToken ct);

    Task<BuildRecord?> GetBuildAsync(long id, CancellationToken ct);

    /// <summary>The builds of an app (every app's when null), newest first.</summary>
    Task<IReadOnlyList<BuildRecord>> ListBuildsAsync(string? app, int limit, CancellationToken ct);

    Task AppendBuildLogAsync(long buildId, IReadOnlyList<(DateTimeOffset At, string Line)> lines, CancellationToken ct);

    Task<IReadOnlyList<(long Seq, DateTimeOffset At, string Line)>> ReadBuildLogAsync(long buildId, long afterSeq, CancellationToken ct);

    /// <summary>Records a webhook delivery id; false when it was recorded before (a redelivery).</summary>
    Task<bool> RecordDeliveryAsync(string provider, string delivery, string app, DateTimeOffset at, CancellationToken ct);

    Task SetHookSecretAsync(string app, string ciphertext, string by, DateTimeOffset at, CancellationToken ct);

    Task<string?> GetHookSecretAsync(string app, CancellationToken ct);

    /// <summary>Puts notices in the outbox, due at once.</summary>
    Task EnqueueNoticesAsync(IReadOnlyList<OutboxRecord> notices, CancellationToken ct);

    /// <summary>Pending notices due by <paramref name="now"/>, each the oldest pending one of its target (a target's notices go in order).</summary>
    Task<IReadOnlyList<OutboxRecord>> ListDueNoticesAsync(DateTimeOffset now, int limit, CancellationToken ct);

    /// <summary>Records a delivery attempt: sent, retried later, or given up.</summary>
    Task UpdateNoticeAsync(long id, string state, int attempts, DateTimeOffset nextAt, string? lastError, DateTimeOffset? sentAt, CancellationToken ct);

    /// <summary>The newest notices of an app (every app's when null).</summary>
    Task<IReadOnlyList<OutboxRecord>> ListNoticesAsync(string? app, int limit, CancellationToken ct);

    /// <summary>The chat message a deploy's notices edit on a target, if one was posted.</summary>
    Task<(string Channel, string Ts)?> GetChatMessageAsync(string targetKey, long deployId, CancellationToken ct);

    Task SetChatMessageAsync(string targetKey, long deployId, string channel, string ts, CancellationToken ct);
}
