using System.Collections.Concurrent;
using System.Diagnostics;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Crossfade.Agent.Instances;
using Crossfade.Contracts.V1;
using Crossfade.Tests.Server.Api;

namespace Crossfade.Tests.Server.Telemetry;

public sealed class ExportersTests(ServerFixture server) : IClassFixture<ServerFixture>, IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly ConcurrentQueue<(string Path, string Body, string? ApiKey, string? Authorization)> _received = new();
    private int _port;

    /// <summary>A stand-in for Datadog and Elasticsearch: a loopback listener that records what it got.</summary>
    private void StartListener(int? port = null)
    {
        _port = port ?? FreePorts.Next();
        _listener.Prefixes.Add($"http://127.0.0.1:{_port}/");
        _listener.Start();
        _ = Task.Run(async () =>
        {
            while (_listener.IsListening)
            {
                try
                {
                    var context = await _listener.GetContextAsync();
                    using var reader = new StreamReader(context.Request.InputStream);
                    _received.Enqueue((context.Request.Url!.AbsolutePath, await reader.ReadToEndAsync(), context.Request.Headers["DD-API-KEY"], context.Request.Headers["Authorization"]));
                    context.Response.StatusCode = 202;
                    context.Response.Close();
                }
                catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException)
                {
                    return;
                }
            }
        });
    }

    public void Dispose() => _listener.Close();

    private async Task<HttpClient> ApplyAndEnrollAsync(string app, string host, int port, string extraExporterKeys = "")
    {
        var spec = $"app: {app}\nrun: ./run\nenvironments:\n  prod:\n    hosts:\n      {host}: [web]\n    exporters:\n"
            + $"      datadog_events: http://127.0.0.1:{port}/api/v1/events\n      elasticsearch_bulk: http://127.0.0.1:{port}/_bulk\n      elasticsearch_index: shop-logs\n"
            + extraExporterKeys;
        (await server.Admin.PostAsJsonAsync("/api/v1/apps", new { spec, fileName = "crossfade.yml" })).EnsureSuccessStatusCode();
        var enroll = await (await server.Admin.PostAsJsonAsync("/api/v1/tokens", new { role = "enroll" })).Content.ReadFromJsonAsync<JsonElement>();
        var enrolled = await (await server.Anonymous.PostAsJsonAsync("/api/agent/v1/enroll", new { name = host, roles = new[] { "web" }, enrollmentToken = enroll.GetProperty("token").GetString() }))
            .Content.ReadFromJsonAsync<JsonElement>();
        var agent = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = server.Admin.BaseAddress };
        agent.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", enrolled.GetProperty("agentToken").GetString());
        return agent;
    }

    private static ByteArrayContent Batch(long seq, string app, string text)
    {
        var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
            JsonSerializer.Serialize(gzip, new LogBatch(seq, 0, [new ShippedLine(app, "app", "web-1.0.0.log", text, DateTimeOffset.UtcNow)]), new JsonSerializerOptions(JsonSerializerDefaults.Web));
        var content = new ByteArrayContent(buffer.ToArray());
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        content.Headers.ContentEncoding.Add("gzip");
        return content;
    }

    private async Task<(string Path, string Body, string? ApiKey, string? Authorization)?> WaitForAsync(Func<(string Path, string Body, string? ApiKey, string? Authorization), bool> match)
    {
        for (var i = 0; i < 200; i++)
        {
            if (_received.FirstOrDefault(match) is { Path: not null } hit)
                return hit;
            await Task.Delay(100);
        }
        return null;
    }

    [Fact]
    public async Task EventsAndLogs_GoToTheEnvironmentsExporters_InTheirOwnFormats()
    {
        StartListener();
        using var agent = await ApplyAndEnrollAsync("exp-shop", "exp-1", _port);
        var marker = Guid.NewGuid().ToString("N")[..10];

        (await server.Admin.PostAsync("/api/v1/events", new StringContent($$"""{"title": "cache flushed {{marker}}", "tags": ["app:exp-shop", "env:prod"]}""", Encoding.UTF8, "application/json"))).EnsureSuccessStatusCode();
        (await agent.PostAsync("/api/agent/v1/ingest?seq=1", Batch(1, "exp-shop", $"info: order {marker} confirmed"))).EnsureSuccessStatusCode();

        var ev = await WaitForAsync(r => r.Path == "/api/v1/events" && r.Body.Contains(marker));
        var bulk = await WaitForAsync(r => r.Path == "/_bulk" && r.Body.Contains(marker));
        ev.ShouldNotBeNull();
        var posted = JsonDocument.Parse(ev.Value.Body).RootElement;
        posted.GetProperty("title").GetString().ShouldBe($"cache flushed {marker}");
        posted.GetProperty("alert_type").GetString().ShouldBe("info");
        posted.GetProperty("tags").EnumerateArray().Select(t => t.GetString()).ShouldContain("env:prod");
        bulk.ShouldNotBeNull();
        var lines = bulk.Value.Body.TrimEnd('\n').Split('\n');
        JsonDocument.Parse(lines[0]).RootElement.GetProperty("index").GetProperty("_index").GetString().ShouldBe("shop-logs");
        JsonDocument.Parse(lines[1]).RootElement.GetProperty("message").GetString().ShouldBe($"info: order {marker} confirmed");
    }

    [Fact]
    public async Task UnreachableExporter_IsRetried_AndNeverSlowsIngest()
    {
        var closed = FreePorts.Next();
        using var agent = await ApplyAndEnrollAsync("exp-down", "exp-2", closed);
        var before = (await server.Admin.GetFromJsonAsync<Dictionary<string, long>>("/api/v1/telemetry/counters"))!.GetValueOrDefault("export_failures");

        var timer = Stopwatch.StartNew();
        for (var seq = 1; seq <= 20; seq++)
            (await agent.PostAsync($"/api/agent/v1/ingest?seq={seq}", Batch(seq, "exp-down", $"info: line {seq}"))).EnsureSuccessStatusCode();
        var ingestTook = timer.Elapsed;
        long failures = before;
        for (var i = 0; i < 50 && failures <= before; i++)
        {
            await Task.Delay(100);
            failures = (await server.Admin.GetFromJsonAsync<Dictionary<string, long>>("/api/v1/telemetry/counters"))!.GetValueOrDefault("export_failures");
        }

        ingestTook.ShouldBeLessThan(TimeSpan.FromSeconds(5), "20 batches must not wait for an exporter that is down");
        failures.ShouldBeGreaterThan(before);

        // The endpoint comes up: what failed while it was down is sent again and arrives.
        StartListener(closed);
        var retried = await WaitForAsync(r => r.Path == "/_bulk" && r.Body.Contains("info: line 1\""));
        retried.ShouldNotBeNull("the lines that failed while the endpoint was down were never sent again");
    }

    [Fact]
    public async Task ApiKeys_FromTheAppsSecrets_AreSentAsEachToolExpects_AndAnEnvironmentsOwnKeyWins()
    {
        StartListener();
        using var agent = await ApplyAndEnrollAsync("exp-keys", "exp-3", _port,
            "      datadog_api_key_secret: dd_key\n      elasticsearch_api_key_secret: es_key\n");
        (await server.Admin.PutAsJsonAsync("/api/v1/apps/exp-keys/secrets/dd_key", new { value = "dd-for-every-env" })).EnsureSuccessStatusCode();
        (await server.Admin.PutAsJsonAsync("/api/v1/apps/exp-keys/secrets/dd_key", new { value = "dd-prod-only", environment = "prod" })).EnsureSuccessStatusCode();
        (await server.Admin.PutAsJsonAsync("/api/v1/apps/exp-keys/secrets/es_key", new { value = "es-secret-1" })).EnsureSuccessStatusCode();
        var marker = Guid.NewGuid().ToString("N")[..10];

        (await server.Admin.PostAsync("/api/v1/events", new StringContent($$"""{"title": "keyed {{marker}}", "tags": ["app:exp-keys", "env:prod"]}""", Encoding.UTF8, "application/json"))).EnsureSuccessStatusCode();
        (await agent.PostAsync("/api/agent/v1/ingest?seq=1", Batch(1, "exp-keys", $"info: keyed {marker}"))).EnsureSuccessStatusCode();

        var ev = await WaitForAsync(r => r.Path == "/api/v1/events" && r.Body.Contains(marker));
        var bulk = await WaitForAsync(r => r.Path == "/_bulk" && r.Body.Contains(marker));
        ev.ShouldNotBeNull();
        ev.Value.ApiKey.ShouldBe("dd-prod-only");
        ev.Value.Authorization.ShouldBeNull();
        bulk.ShouldNotBeNull();
        bulk.Value.Authorization.ShouldBe("ApiKey es-secret-1");
        bulk.Value.ApiKey.ShouldBeNull();
        var listed = await server.Admin.GetFromJsonAsync<JsonElement>("/api/v1/apps/exp-keys/secrets");
        listed.EnumerateArray().ShouldAllBe(s => s.GetProperty("declared").GetBoolean(), "exporter keys count as declared secrets");
        listed.ToString().ShouldNotContain("es-secret-1");
    }
}
