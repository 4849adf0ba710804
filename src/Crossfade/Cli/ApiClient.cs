using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using Crossfade.Contracts.V1;

namespace Crossfade.Cli;

/// <summary>The CLI's client of the REST API.</summary>
public sealed class ApiClient
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true, Converters = { new JsonStringEnumConverter() } };
    private readonly HttpClient _http;
    private readonly Core.Links.PinnedTls _tls;

    /// <summary>A client of the server; with a pin (given, or carried by the token) it trusts only a server presenting that key.</summary>
    public ApiClient(string server, string? token, string trigger = "cli", string? pin = null)
    {
        var (secret, carried) = token is null ? (null, null) : Core.Links.JoinToken.Split(token);
        _tls = new Core.Links.PinnedTls(pin ?? carried);
        _http = new HttpClient(_tls.Handler()) { BaseAddress = new Uri(server.TrimEnd('/') + "/"), Timeout = TimeSpan.FromMinutes(30) };
        if (secret is not null)
            _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", secret);
        _http.DefaultRequestHeaders.Add("X-Crossfade-Trigger", trigger);
        _http.DefaultRequestHeaders.UserAgent.ParseAdd("crossfade-cli");
    }

    public Uri BaseAddress => _http.BaseAddress!;

    /// <summary>Who the token is, and which server answered.</summary>
    public Task<WhoAmIView> WhoAmIAsync(CancellationToken ct) => SendAsync<WhoAmIView>(HttpMethod.Get, "api/v1/whoami", null, ct);

    public Task<BuildView> StartBuildAsync(string app, StartBuildRequest request, CancellationToken ct) =>
        SendAsync<BuildView>(HttpMethod.Post, $"api/v1/apps/{app}/builds", JsonContent.Create(request, options: Json), ct);

    public Task<BuildView> GetBuildAsync(long id, CancellationToken ct) => SendAsync<BuildView>(HttpMethod.Get, $"api/v1/builds/{id}", null, ct);

    public Task<List<BuildView>> BuildsAsync(string app, int limit, CancellationToken ct) =>
        SendAsync<List<BuildView>>(HttpMethod.Get, $"api/v1/apps/{app}/builds?limit={limit}", null, ct);

    public Task<List<BuildLogLine>> BuildLogAsync(long id, long after, CancellationToken ct) =>
        SendAsync<List<BuildLogLine>>(HttpMethod.Get, $"api/v1/builds/{id}/logs?after={after}", null, ct);

    public Task<HookSecretView> RotateHookSecretAsync(string app, CancellationToken ct) =>
        SendAsync<HookSecretView>(HttpMethod.Post, $"api/v1/apps/{app}/hook-secret", null, ct);

    public Task<List<NoticeView>> NoticesAsync(string? app, int limit, CancellationToken ct) =>
        SendAsync<List<NoticeView>>(HttpMethod.Get, $"api/v1/notices?limit={limit}" + (app is null ? "" : $"&app={Uri.EscapeDataString(app)}"), null, ct);

    public Task<List<AuditRecordView>> AuditAsync(string query, CancellationToken ct) =>
        SendAsync<List<AuditRecordView>>(HttpMethod.Get, "api/v1/audit?" + query, null, ct);

    public Task<AuditVerifyView> VerifyAuditAsync(string? head, CancellationToken ct) =>
        SendAsync<AuditVerifyView>(HttpMethod.Get, "api/v1/audit/verify" + (head is null ? "" : "?head=" + Uri.EscapeDataString(head)), null, ct);

    public Task<AppView> ApplyAsync(string yaml, string file, CancellationToken ct) =>
        SendAsync<AppView>(HttpMethod.Post, "api/v1/apps", JsonContent.Create(new ApplyAppRequest(yaml, file), options: Json), ct);

    public Task<ReleaseView> PushReleaseAsync(string app, string version, string? commit, string? message, Stream archive, CancellationToken ct)
    {
        var query = $"version={Uri.EscapeDataString(version)}" + (commit is null ? "" : $"&commit={Uri.EscapeDataString(commit)}")
            + (message is null ? "" : $"&message={Uri.EscapeDataString(message)}");
        var content = new StreamContent(archive);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/gzip");
        return SendAsync<ReleaseView>(HttpMethod.Post, $"api/v1/apps/{app}/releases?{query}", content, ct);
    }

    public Task<DeployView> DeployAsync(string app, string environment, string version, CancellationToken ct, bool wait = false, string? canary = null, int? canaryHoldSeconds = null, string? overrideFreeze = null) =>
        SendAsync<DeployView>(HttpMethod.Post, $"api/v1/apps/{app}/deploys?wait={wait}", JsonContent.Create(new StartDeployRequest(environment, version, canary, canaryHoldSeconds, overrideFreeze), options: Json), ct, Guid.NewGuid().ToString());

    public Task<DeployView> PromoteReleaseAsync(string app, PromoteReleaseRequest request, CancellationToken ct) =>
        SendAsync<DeployView>(HttpMethod.Post, $"api/v1/apps/{app}/promotions", JsonContent.Create(request, options: Json), ct, Guid.NewGuid().ToString());

    public Task<ScheduleView> ScheduleAsync(string app, ScheduleDeployRequest request, CancellationToken ct) =>
        SendAsync<ScheduleView>(HttpMethod.Post, $"api/v1/apps/{app}/schedules", JsonContent.Create(request, options: Json), ct);

    public Task<List<ScheduleView>> SchedulesAsync(string? app, bool all, CancellationToken ct) =>
        SendAsync<List<ScheduleView>>(HttpMethod.Get, $"api/v1/schedules?all={all}" + (app is null ? "" : $"&app={Uri.EscapeDataString(app)}"), null, ct);

    public Task<object?> CancelScheduleAsync(long id, CancellationToken ct) => SendAsync<object?>(HttpMethod.Delete, $"api/v1/schedules/{id}", null, ct);

    public Task<FreezeView> AddFreezeAsync(string app, string environment, CreateFreezeRequest request, CancellationToken ct) =>
        SendAsync<FreezeView>(HttpMethod.Post, $"api/v1/apps/{app}/environments/{environment}/freezes", JsonContent.Create(request, options: Json), ct);

    public Task<List<FreezeView>> FreezesAsync(string? app, CancellationToken ct) =>
        SendAsync<List<FreezeView>>(HttpMethod.Get, "api/v1/freezes" + (app is null ? "" : $"?app={Uri.EscapeDataString(app)}"), null, ct);

    public Task<object?> RemoveFreezeAsync(long id, CancellationToken ct) => SendAsync<object?>(HttpMethod.Delete, $"api/v1/freezes/{id}", null, ct);

    public Task<DeployView> PromoteAsync(string app, string environment, CancellationToken ct) =>
        SendAsync<DeployView>(HttpMethod.Post, $"api/v1/apps/{app}/environments/{environment}/promote", null, ct);

    public Task<DeployView> AbortAsync(string app, string environment, CancellationToken ct) =>
        SendAsync<DeployView>(HttpMethod.Post, $"api/v1/apps/{app}/environments/{environment}/abort", null, ct);

    public Task<DeployView> RollbackAsync(string app, string environment, CancellationToken ct, bool wait = false) =>
        SendAsync<DeployView>(HttpMethod.Post, $"api/v1/apps/{app}/rollbacks?wait={wait}", JsonContent.Create(new StartRollbackRequest(environment), options: Json), ct, Guid.NewGuid().ToString());

    public Task<DeployView> GetDeployAsync(long id, CancellationToken ct) => SendAsync<DeployView>(HttpMethod.Get, $"api/v1/deploys/{id}", null, ct);

    public Task<List<DeployView>> HistoryAsync(string app, int limit, string? environment, CancellationToken ct) =>
        SendAsync<List<DeployView>>(HttpMethod.Get, $"api/v1/apps/{app}/deploys?limit={limit}{(environment is null ? "" : $"&environment={Uri.EscapeDataString(environment)}")}", null, ct);

    public Task<StatusView> StatusAsync(string app, string environment, CancellationToken ct) =>
        SendAsync<StatusView>(HttpMethod.Get, $"api/v1/apps/{app}/environments/{environment}/status", null, ct);

    public Task<List<DeployLogLine>> LogsAsync(long id, string? host, long after, CancellationToken ct) =>
        SendAsync<List<DeployLogLine>>(HttpMethod.Get, $"api/v1/deploys/{id}/logs?after={after}" + (host is null ? "" : $"&host={Uri.EscapeDataString(host)}"), null, ct);

    public Task<TokenView> CreateTokenAsync(string role, string? name, CancellationToken ct) =>
        SendAsync<TokenView>(HttpMethod.Post, "api/v1/tokens", JsonContent.Create(new { role, name }, options: Json), ct);

    /// <summary>A one-time link that signs its opener in to the dashboard as this client's token.</summary>
    public Task<SignInCodeView> SignInLinkAsync(CancellationToken ct) =>
        SendAsync<SignInCodeView>(HttpMethod.Post, "api/v1/signin-codes", null, ct);

    public Task<List<TokenInfoView>> TokensAsync(CancellationToken ct) => SendAsync<List<TokenInfoView>>(HttpMethod.Get, "api/v1/tokens", null, ct);

    public Task<object?> RevokeTokenAsync(string id, CancellationToken ct) =>
        SendAsync<object?>(HttpMethod.Delete, $"api/v1/tokens/{Uri.EscapeDataString(id)}", null, ct);

    public Task<DeployView> ConvergeAsync(string app, string environment, bool whyRun, CancellationToken ct, bool wait = false) =>
        SendAsync<DeployView>(HttpMethod.Post, $"api/v1/apps/{app}/converges?wait={wait}", JsonContent.Create(new StartConvergeRequest(environment, whyRun), options: Json), ct, Guid.NewGuid().ToString());

    public Task<object?> SetSecretAsync(string app, string name, string value, string? environment, CancellationToken ct) =>
        SendAsync<object?>(HttpMethod.Put, $"api/v1/apps/{app}/secrets/{Uri.EscapeDataString(name)}", JsonContent.Create(new SetSecretRequest(value, environment), options: Json), ct);

    public Task<object?> DeleteSecretAsync(string app, string name, string? environment, CancellationToken ct) =>
        SendAsync<object?>(HttpMethod.Delete, $"api/v1/apps/{app}/secrets/{Uri.EscapeDataString(name)}" + (environment is null ? "" : $"?environment={Uri.EscapeDataString(environment)}"), null, ct);

    public Task<List<SecretView>> SecretsAsync(string app, CancellationToken ct) =>
        SendAsync<List<SecretView>>(HttpMethod.Get, $"api/v1/apps/{app}/secrets", null, ct);

    public Task<List<EventView>> EventsAsync(string query, CancellationToken ct) =>
        SendAsync<List<EventView>>(HttpMethod.Get, $"api/v1/events?{query}", null, ct);

    public Task<PostEventResponse> PostEventAsync(PostEventRequest e, CancellationToken ct) =>
        SendAsync<PostEventResponse>(HttpMethod.Post, "api/v1/events", JsonContent.Create(e, options: Json), ct);

    /// <summary>Follows the timeline's server-sent events, yielding each event as it is published.</summary>
    public async IAsyncEnumerable<EventView> FollowEventsAsync(string query, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"api/v1/events/stream?{query}");
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        if (!response.IsSuccessStatusCode)
            throw new ApiError((int)response.StatusCode, Describe((int)response.StatusCode, await response.Content.ReadAsStringAsync(ct)), null);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(ct));
        while (await reader.ReadLineAsync(ct) is { } line)
            if (line.StartsWith("data: ", StringComparison.Ordinal))
                yield return JsonSerializer.Deserialize<EventView>(line[6..], Json)!;
    }

    public async Task<long> RequestCountAsync(string app, string environment, DateTimeOffset from, DateTimeOffset to, CancellationToken ct) =>
        (await SendAsync<JsonElement>(HttpMethod.Get, $"api/v1/apps/{app}/environments/{environment}/requests/count?from={Uri.EscapeDataString(from.ToString("O"))}&to={Uri.EscapeDataString(to.ToString("O"))}", null, ct))
            .GetProperty("count").GetInt64();

    public Task<List<RequestStats>> RequestStatsAsync(string app, string environment, string by, CancellationToken ct, DateTimeOffset? from = null, DateTimeOffset? to = null) =>
        SendAsync<List<RequestStats>>(HttpMethod.Get, $"api/v1/apps/{app}/environments/{environment}/requests?by={by}"
            + (from is { } f ? $"&from={f.ToUnixTimeSeconds()}" : "") + (to is { } t ? $"&to={t.ToUnixTimeSeconds()}" : ""), null, ct);

    public Task<List<LogLineView>> SearchLogsAsync(string app, string environment, string query, CancellationToken ct) =>
        SendAsync<List<LogLineView>>(HttpMethod.Get, $"api/v1/apps/{app}/environments/{environment}/logs?{query}", null, ct);

    public Task<List<NewRouteView>> NewRoutesAsync(string app, string environment, string query, CancellationToken ct) =>
        SendAsync<List<NewRouteView>>(HttpMethod.Get, $"api/v1/apps/{app}/environments/{environment}/routes/new?{query}", null, ct);

    public Task<TrafficView> TrafficAsync(string app, string environment, string query, CancellationToken ct) =>
        SendAsync<TrafficView>(HttpMethod.Get, $"api/v1/apps/{app}/environments/{environment}/traffic?{query}", null, ct);

    public Task<JudgeRecordView> JudgeRecordAsync(string app, string environment, int? limit, CancellationToken ct) =>
        SendAsync<JudgeRecordView>(HttpMethod.Get, $"api/v1/apps/{app}/environments/{environment}/judge-record{(limit is { } l ? $"?limit={l}" : "")}", null, ct);

    public Task<Dictionary<string, long>> TelemetryCountersAsync(CancellationToken ct) =>
        SendAsync<Dictionary<string, long>>(HttpMethod.Get, "api/v1/telemetry/counters", null, ct);

    public Task<List<HostStatusView>> HostsAsync(CancellationToken ct) => SendAsync<List<HostStatusView>>(HttpMethod.Get, "api/v1/hosts", null, ct);

    /// <summary>Asks a host's agent to take the server's binary: "asked", or "current" when it runs it already.</summary>
    public Task<UpgradeView> UpgradeHostAsync(string host, CancellationToken ct) =>
        SendAsync<UpgradeView>(HttpMethod.Post, $"api/v1/hosts/{Uri.EscapeDataString(host)}/upgrade", null, ct);

    /// <summary>Takes a host off the server and revokes its tokens; a host removed already is no error.</summary>
    public Task<HostRemovedView> RemoveHostAsync(string host, CancellationToken ct) =>
        SendAsync<HostRemovedView>(HttpMethod.Delete, $"api/v1/hosts/{Uri.EscapeDataString(host)}", null, ct);

    public Task<List<BinaryView>> BinariesAsync(CancellationToken ct) => SendAsync<List<BinaryView>>(HttpMethod.Get, "api/v1/binaries", null, ct);

    /// <summary>Downloads the binary of a platform to <paramref name="path"/>, refusing it unless its SHA-256 is <paramref name="sha256"/>.</summary>
    public async Task DownloadBinaryAsync(string rid, string sha256, string path, CancellationToken ct)
    {
        HttpResponseMessage response;
        try
        {
            response = await _http.GetAsync($"api/v1/binaries/{Uri.EscapeDataString(rid)}", HttpCompletionOption.ResponseHeadersRead, ct);
        }
        catch (HttpRequestException ex)
        {
            throw new ApiError(0, _tls.Explain(_http.BaseAddress!.ToString(), "log in again") ?? $"cannot reach the server at {_http.BaseAddress}: {ex.Message}", null);
        }
        using (response)
        {
            if (!response.IsSuccessStatusCode)
            {
                var body = await response.Content.ReadAsStringAsync(ct);
                throw new ApiError((int)response.StatusCode, Describe((int)response.StatusCode, body), body);
            }
            await using (var file = File.Create(path))
                await response.Content.CopyToAsync(file, ct);
        }
        await using var check = File.OpenRead(path);
        var got = Convert.ToHexStringLower(await System.Security.Cryptography.SHA256.HashDataAsync(check, ct));
        if (got != sha256)
            throw new ApiError(0, $"the {rid} binary downloaded has SHA-256 {got}, not the {sha256} the server listed: not used", null);
    }

    private async Task<T> SendAsync<T>(HttpMethod method, string path, HttpContent? content, CancellationToken ct, string? idempotencyKey = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = content };
        if (idempotencyKey is not null)
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, ct);
        }
        catch (HttpRequestException ex)
        {
            throw new ApiError(0, _tls.Explain(_http.BaseAddress!.ToString(), "log in again with a token the server made since (it carries the new fingerprint)")
                ?? $"cannot reach the server at {_http.BaseAddress}: {ex.Message}", null);
        }
        using (response)
        {
            if (response.IsSuccessStatusCode)
                return response.StatusCode == System.Net.HttpStatusCode.NoContent ? default! : (await response.Content.ReadFromJsonAsync<T>(Json, ct))!;
            var body = await response.Content.ReadAsStringAsync(ct);
            throw new ApiError((int)response.StatusCode, Describe((int)response.StatusCode, body), body);
        }
    }

    private static string Describe(int status, string body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            var root = doc.RootElement;
            var text = root.TryGetProperty("detail", out var d) ? d.GetString() : root.TryGetProperty("title", out var t) ? t.GetString() : body;
            if (root.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Array)
                text += Environment.NewLine + string.Join(Environment.NewLine, errors.EnumerateArray().Select(e =>
                    $"  {e.GetProperty("file").GetString()}:{e.GetProperty("line").GetInt32()}:{e.GetProperty("column").GetInt32()}: {e.GetProperty("field").GetString()}: {e.GetProperty("message").GetString()}"));
            return $"{text} (HTTP {status})";
        }
        catch (JsonException)
        {
            return $"HTTP {status}: {(body.Length > 300 ? body[..300] : body)}";
        }
    }
}


/// <summary>The answer to an upgrade: asked (or already current), and the binary it names.</summary>
public sealed record UpgradeView(string Host, string State, string Sha256, string? Version);

/// <summary>A token as the API returns it once.</summary>
public sealed record TokenView(string Name, string Role, string Token, string? Fingerprint = null);
