using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Crossfade.Core.Builds;
using Crossfade.Core.Specs;
using Crossfade.Server.Config;
using Crossfade.Server.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Crossfade.Server.Notifications;

/// <summary>
/// Sends the outbox: each target's notices in order, targets side by side, every post bounded by a
/// timeout. A failed post is tried again after 5 s, then three times longer each time up to 30 minutes,
/// and given up after 10 tries; the error kept names the failure, never the address (it is a secret).
/// </summary>
public sealed class NoticeDelivery : BackgroundService
{
    public const int MaxAttempts = 10;
    private const string SlackApi = "https://slack.com/api";
    private readonly HttpClient _http = new(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(10) };
    private readonly SemaphoreSlim _wake = new(0);
    private readonly IStore _store;
    private readonly SecretVault _vault;
    private readonly TimeProvider _time;
    private readonly ILogger<NoticeDelivery> _logger;

    public NoticeDelivery(IStore store, SecretVault vault, Notifier notifier, TimeProvider time, ILogger<NoticeDelivery> logger)
    {
        _store = store;
        _vault = vault;
        _time = time;
        _logger = logger;
        notifier.Queued += () => _wake.Release();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var due = Array.Empty<OutboxRecord>() as IReadOnlyList<OutboxRecord>;
            try
            {
                due = await _store.ListDueNoticesAsync(_time.GetUtcNow(), 50, stoppingToken);
                await Task.WhenAll(due.Select(n => DeliverAsync(n, stoppingToken)));
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                _logger.LogError(e, "the outbox could not be read");
                due = [];
            }
            if (due.Count == 0)
                await _wake.WaitAsync(TimeSpan.FromSeconds(1), stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    private async Task DeliverAsync(OutboxRecord row, CancellationToken ct)
    {
        string? error;
        try
        {
            error = await SendAsync(row, ct);
        }
        catch (Exception e) when (!ct.IsCancellationRequested && e is not OutOfMemoryException)
        {
            // Whatever went wrong counts as a try, so a bad address is retried later, not at once forever.
            // The exception's own text may carry the address; its kind and the socket error do not.
            error = e is TaskCanceledException ? "no answer within 10 s" : $"{e.GetType().Name}{(e is HttpRequestException { HttpRequestError: var kind } ? $" ({kind})" : "")}";
        }
        var now = _time.GetUtcNow();
        var attempts = row.Attempts + 1;
        if (ct.IsCancellationRequested)
            return;
        if (error is null)
            await _store.UpdateNoticeAsync(row.Id, OutboxStates.Sent, attempts, now, null, now, CancellationToken.None);
        else if (attempts >= MaxAttempts)
            await _store.UpdateNoticeAsync(row.Id, OutboxStates.Dead, attempts, now, error, null, CancellationToken.None);
        else
            await _store.UpdateNoticeAsync(row.Id, OutboxStates.Pending, attempts, now + Backoff(attempts), error, null, CancellationToken.None);
    }

    /// <summary>5 s after the first failure, three times longer after each next one, at most 30 minutes.</summary>
    public static TimeSpan Backoff(int attempts) => TimeSpan.FromSeconds(Math.Min(1800, 5 * Math.Pow(3, attempts - 1)));

    /// <summary>Posts one notice; null when it was taken, else what went wrong.</summary>
    private async Task<string?> SendAsync(OutboxRecord row, CancellationToken ct)
    {
        var target = JsonSerializer.Deserialize<NotifySpec>(row.Target, Notifier.Json)!;
        var notice = JsonSerializer.Deserialize<Notice>(row.Payload, Notifier.Json)!;
        if (await SecretAsync(row.App, row.Environment, target.Secret, ct) is not { } secret)
            return $"the app secret '{target.Secret}' is not set: 'crossfade secret set {row.App} {target.Secret}'";
        switch (target.Kind)
        {
            case NotifyKinds.Slack:
                return await PostJsonAsync(secret, NoticeFormats.Slack(notice), ct);
            case NotifyKinds.Teams:
                return await PostJsonAsync(secret, NoticeFormats.Teams(notice), ct);
            case NotifyKinds.Webhook:
                return await PostSignedAsync(row, target, secret, notice, ct);
            case NotifyKinds.SlackBot:
                return await PostToSlackBotAsync(row, target, secret, notice, ct);
            default:
                return $"'{target.Kind}' is not a kind of target";
        }
    }

    private async Task<string?> PostSignedAsync(OutboxRecord row, NotifySpec target, string url, Notice notice, CancellationToken ct)
    {
        if (target.SigningSecret is not { } name || await SecretAsync(row.App, row.Environment, name, ct) is not { } key)
            return $"the app secret '{target.SigningSecret}' (the signing key) is not set";
        var body = JsonSerializer.SerializeToUtf8Bytes(NoticeFormats.Generic(notice), Notifier.Json);
        // The same id on every try, as Standard Webhooks asks: a receiver drops what it has taken before.
        var id = "msg_" + row.Id.ToString(CultureInfo.InvariantCulture);
        var timestamp = _time.GetUtcNow().ToUnixTimeSeconds();
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new("application/json") { CharSet = "utf-8" };
        request.Headers.Add("webhook-id", id);
        request.Headers.Add("webhook-timestamp", timestamp.ToString(CultureInfo.InvariantCulture));
        request.Headers.Add("webhook-signature", WebhookSignatures.SignStandard(key, id, timestamp, body));
        return Answer(await _http.SendAsync(request, ct));
    }

    /// <summary>One message per deploy: posted with its first notice, edited in place by the next ones.</summary>
    private async Task<string?> PostToSlackBotAsync(OutboxRecord row, NotifySpec target, string token, Notice notice, CancellationToken ct)
    {
        var api = (target.Api ?? SlackApi).TrimEnd('/');
        var posted = row.DeployId is { } deployId ? await _store.GetChatMessageAsync(row.TargetKey, deployId, ct) : null;
        using var request = new HttpRequestMessage(HttpMethod.Post, posted is null ? $"{api}/chat.postMessage" : $"{api}/chat.update")
        {
            Content = Json(NoticeFormats.Slack(notice, posted?.Channel ?? target.Channel, posted?.Ts)),
        };
        request.Headers.Authorization = new("Bearer", token);
        using var response = await _http.SendAsync(request, ct);
        if (Answer(response) is { } failed)
            return failed;
        var answer = await response.Content.ReadFromJsonAsync<JsonElement>(ct);
        if (answer.ValueKind != JsonValueKind.Object)
            return "Slack answered something other than a JSON object";
        if (!answer.TryGetProperty("ok", out var ok) || ok.ValueKind != JsonValueKind.True)
            return $"Slack said: {(answer.TryGetProperty("error", out var e) ? e.GetString() : "not ok")}";
        if (posted is null && row.DeployId is { } id && answer.TryGetProperty("ts", out var ts) && answer.TryGetProperty("channel", out var channel))
            await _store.SetChatMessageAsync(row.TargetKey, id, channel.GetString() ?? target.Channel!, ts.GetString() ?? "", CancellationToken.None);
        return null;
    }

    private async Task<string?> PostJsonAsync(string url, object body, CancellationToken ct)
    {
        using var content = Json(body);
        using var response = await _http.PostAsync(url, content, ct);
        return Answer(response);
    }

    /// <summary>A JSON body with its length said up front (some endpoints refuse a chunked one).</summary>
    private static ByteArrayContent Json(object body)
    {
        var content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(body, Notifier.Json));
        content.Headers.ContentType = new("application/json") { CharSet = "utf-8" };
        return content;
    }

    private static string? Answer(HttpResponseMessage response) =>
        response.IsSuccessStatusCode ? null : $"answered HTTP {(int)response.StatusCode}";

    private Task<string?> SecretAsync(string app, string environment, string name, CancellationToken ct) =>
        SecretChoice.ValueAsync(_store, _vault, app, environment, name, ct);

    public override void Dispose()
    {
        _http.Dispose();
        _wake.Dispose();
        base.Dispose();
    }
}
