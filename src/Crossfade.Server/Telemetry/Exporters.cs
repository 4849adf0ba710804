using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Crossfade.Core.Specs;
using Crossfade.Server.Config;
using Crossfade.Server.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Crossfade.Server.Telemetry;

/// <summary>
/// Sends an environment's events to a Datadog-compatible events endpoint and its log lines, in
/// Elasticsearch bulk format, to a configured URL (the environment's <c>exporters:</c>). Ingest and
/// deploys only offer items to bounded queues and never wait; an unreachable endpoint is retried
/// with backoff (1 s doubling to 30 s), and when a queue is full its oldest items are dropped and
/// counted.
/// </summary>
public sealed partial class Exporters : BackgroundService
{
    private const int LogBatch = 500;
    private readonly HttpClient _http = new(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(10) };
    private long _dropped;
    private readonly Channel<EventRecord> _events;
    private readonly Channel<StoredLogLine> _logs;
    // One outbox per endpoint, so an endpoint that is down backs up only its own queue.
    private readonly ConcurrentDictionary<Uri, Channel<Delivery>> _outboxes = new();
    private CancellationToken _stopping;

    private readonly IStore store;
    private readonly AppSpecs specs;
    private readonly SecretVault vault;
    private readonly TimeProvider time;
    private readonly ILogger<Exporters> logger;

    /// <summary>One post to an endpoint: its body, and the app secret holding its API key (looked up at each try, so a key set later is used).</summary>
    private sealed record Delivery(Func<HttpContent> Body, string App, string Environment, string? KeySecret, Action<HttpRequestMessage, string> SetKey, string Counter, int Items);

    public Exporters(IStore store, AppSpecs specs, SecretVault vault, TimeProvider time, ILogger<Exporters> logger, TelemetryOptions options)
    {
        this.store = store;
        this.specs = specs;
        this.vault = vault;
        this.time = time;
        this.logger = logger;
        _events = Channel.CreateBounded<EventRecord>(new BoundedChannelOptions(options.ExportEventQueue) { FullMode = BoundedChannelFullMode.DropOldest }, _ => Interlocked.Increment(ref _dropped));
        _logs = Channel.CreateBounded<StoredLogLine>(new BoundedChannelOptions(options.ExportLogQueue) { FullMode = BoundedChannelFullMode.DropOldest }, _ => Interlocked.Increment(ref _dropped));
    }

    public void Offer(EventRecord e)
    {
        if (e.App is not null && e.Environment is not null)
            _events.Writer.TryWrite(e);
    }

    public void Offer(IEnumerable<StoredLogLine> lines)
    {
        foreach (var line in lines)
            _logs.Writer.TryWrite(line);
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _stopping = stoppingToken;
        return Task.WhenAll(SendEventsAsync(stoppingToken), SendLogsAsync(stoppingToken));
    }

    private void Post(Uri url, Delivery delivery)
    {
        var outbox = _outboxes.GetOrAdd(url, u =>
        {
            var channel = Channel.CreateBounded<Delivery>(
                new BoundedChannelOptions(1_000) { FullMode = BoundedChannelFullMode.DropOldest }, dropped => Interlocked.Add(ref _dropped, dropped.Items));
            _ = Task.Run(() => DrainAsync(u, channel.Reader, _stopping));
            return channel;
        });
        outbox.Writer.TryWrite(delivery);
    }

    private async Task DrainAsync(Uri url, ChannelReader<Delivery> outbox, CancellationToken ct)
    {
        try
        {
            await foreach (var delivery in outbox.ReadAllAsync(ct))
                await DeliverAsync(url, delivery, ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The server is stopping.
        }
    }

    private async Task SendEventsAsync(CancellationToken ct)
    {
        await foreach (var e in _events.Reader.ReadAllAsync(ct))
        {
            if (await TargetsAsync(e.App!, e.Environment!, ct) is not { DatadogEvents: { } url } spec)
                continue;
            var body = new
            {
                title = e.Title, text = e.Text, tags = e.Tags, alert_type = e.AlertType, aggregation_key = e.AggregationKey,
                date_happened = e.At.ToUnixTimeSeconds(), host = e.Host, source_type_name = "crossfade",
            };
            Post(url, new Delivery(() => JsonContent.Create(body), e.App!, e.Environment!, spec.DatadogApiKeySecret,
                (request, key) => request.Headers.Add("DD-API-KEY", key), "exported_events", 1));
        }
    }

    private async Task SendLogsAsync(CancellationToken ct)
    {
        var batch = new List<StoredLogLine>(LogBatch);
        while (await _logs.Reader.WaitToReadAsync(ct))
        {
            batch.Clear();
            while (batch.Count < LogBatch && _logs.Reader.TryRead(out var line))
                batch.Add(line);
            foreach (var group in batch.GroupBy(l => (l.App, l.Environment)))
            {
                if ((await TargetsAsync(group.Key.App, group.Key.Environment, ct)) is not { ElasticsearchBulk: { } url } spec)
                    continue;
                var ndjson = new StringBuilder();
                foreach (var l in group)
                {
                    ndjson.Append(JsonSerializer.Serialize(new { index = new { _index = spec.ElasticsearchIndex } })).Append('\n');
                    ndjson.Append(JsonSerializer.Serialize(new Dictionary<string, object?>
                    {
                        ["@timestamp"] = l.At, ["host"] = l.Host, ["app"] = l.App, ["env"] = l.Environment, ["file"] = l.File, ["level"] = l.Level, ["message"] = l.Text,
                    })).Append('\n');
                }
                var text = ndjson.ToString();
                Post(url, new Delivery(() => new StringContent(text, Encoding.UTF8, "application/x-ndjson"), group.Key.App, group.Key.Environment,
                    spec.ElasticsearchApiKeySecret, (request, key) => request.Headers.Authorization = new AuthenticationHeaderValue("ApiKey", key),
                    "exported_log_lines", group.Count()));
            }
        }
    }

    /// <summary>Sends until it is taken, backing off; what the queue dropped meanwhile is counted.</summary>
    private async Task DeliverAsync(Uri url, Delivery delivery, CancellationToken ct)
    {
        var wait = TimeSpan.FromSeconds(1);
        while (!ct.IsCancellationRequested)
        {
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = delivery.Body() };
                if (delivery.KeySecret is { } secret)
                {
                    if (await SecretAsync(delivery.App, delivery.Environment, secret, ct) is { } key)
                        delivery.SetKey(request, key);
                    else
                        LogKeyMissing(delivery.App, secret);
                }
                using var response = await _http.SendAsync(request, ct);
                if (response.IsSuccessStatusCode)
                {
                    await CountAsync(delivery.Counter, delivery.Items, ct);
                    return;
                }
                LogRefused((int)response.StatusCode, delivery.Counter);
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
            {
                LogUnreachable(ex.Message, wait.TotalSeconds);
            }
            await CountAsync("export_failures", 1, ct);
            await Task.Delay(wait, time, ct);
            wait = TimeSpan.FromSeconds(Math.Min(30, wait.TotalSeconds * 2));
        }
    }

    /// <summary>An app secret's value for an environment: the environment's own, else the one for every environment.</summary>
    private Task<string?> SecretAsync(string app, string environment, string name, CancellationToken ct) =>
        SecretChoice.ValueAsync(store, vault, app, environment, name, ct);

    private async Task CountAsync(string name, long value, CancellationToken ct)
    {
        var dropped = Interlocked.Exchange(ref _dropped, 0);
        var counters = new Dictionary<string, long> { [name] = value };
        if (dropped > 0)
            counters["export_dropped"] = dropped;
        await store.AddIngestCountersAsync(counters, ct);
    }

    /// <summary>An environment's exporters, from its app's spec as applied now.</summary>
    private async Task<ExportersSpec?> TargetsAsync(string app, string environment, CancellationToken ct) =>
        (await specs.GetAsync(app, ct))?.Environments.GetValueOrDefault(environment)?.Exporters;

    public override void Dispose()
    {
        _http.Dispose();
        base.Dispose();
    }

    [LoggerMessage(1, LogLevel.Warning, "An exporter endpoint refused {Counter} with {Status}; retrying")]
    private partial void LogRefused(int status, string counter);

    [LoggerMessage(2, LogLevel.Warning, "An exporter endpoint is unreachable ({Reason}); next try in {Seconds}s")]
    private partial void LogUnreachable(string reason, double seconds);

    [LoggerMessage(3, LogLevel.Warning, "The exporter API key secret '{Secret}' of {App} is not set (or does not open): sending without it; set it with 'crossfade secret set'")]
    private partial void LogKeyMissing(string app, string secret);
}
