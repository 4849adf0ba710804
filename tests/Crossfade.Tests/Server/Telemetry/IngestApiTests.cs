using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Crossfade.Contracts.V1;
using Crossfade.Tests.Server.Api;

namespace Crossfade.Tests.Server.Telemetry;

public sealed class IngestApiTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    private const string Spec = "app: tele-shop\nrun: ./run\nenvironments:\n  prod:\n    hosts:\n      tele-1: [web]\n"
        + "logs:\n  error_patterns: ['payment provider (error|timeout)']\n";

    private async Task<HttpClient> AgentAsync()
    {
        (await server.Admin.PostAsJsonAsync("/api/v1/apps", new { spec = Spec, fileName = "crossfade.yml" })).EnsureSuccessStatusCode();
        var enroll = await (await server.Admin.PostAsJsonAsync("/api/v1/tokens", new { role = "enroll" })).Content.ReadFromJsonAsync<JsonElement>();
        var enrolled = await (await server.Anonymous.PostAsJsonAsync("/api/agent/v1/enroll", new { name = "tele-1", roles = new[] { "web" }, enrollmentToken = enroll.GetProperty("token").GetString() }))
            .Content.ReadFromJsonAsync<JsonElement>();
        var agent = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = server.Admin.BaseAddress };
        agent.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", enrolled.GetProperty("agentToken").GetString());
        return agent;
    }

    private static ByteArrayContent Gzip(byte[] raw)
    {
        var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
            gzip.Write(raw);
        var content = new ByteArrayContent(buffer.ToArray());
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        content.Headers.ContentEncoding.Add("gzip");
        return content;
    }

    private static ByteArrayContent Batch(long seq, params ShippedLine[] lines) =>
        Gzip(JsonSerializer.SerializeToUtf8Bytes(new LogBatch(seq, 0, lines), new JsonSerializerOptions(JsonSerializerDefaults.Web)));

    private static ShippedLine Access(string path, int status, double ms) =>
        new("tele-shop", "access", "access.log", $$"""{"ts":"{{DateTimeOffset.UtcNow:O}}","method":"GET","path":"{{path}}","status":{{status}},"ms":{{ms}},"bytes":10,"release":"1.0.0"}""", DateTimeOffset.UtcNow);

    [Fact]
    public async Task Ingest_MixedAndGarbageLines_StoresRecordsKeepsTheRestRaw_AndABatchOnlyOnce()
    {
        using var agent = await AgentAsync();
        var garbage = new ShippedLine("tele-shop", "access", "access.log", "\u0000\u00ff not a record", DateTimeOffset.UtcNow);
        var appLine = new ShippedLine("tele-shop", "app", "web-1.0.0.log", "fail: checkout exploded", DateTimeOffset.UtcNow);
        var huge = new ShippedLine("tele-shop", "app", "web-1.0.0.log", new string('x', 200_000), DateTimeOffset.UtcNow);

        var first = await agent.PostAsync("/api/agent/v1/ingest?seq=1", Batch(1, Access("/orders/17", 200, 4), Access("/orders/18", 503, 40), garbage, appLine, huge));
        var again = await agent.PostAsync("/api/agent/v1/ingest?seq=1", Batch(1, Access("/orders/17", 200, 4), Access("/orders/18", 503, 40), garbage, appLine, huge));

        first.StatusCode.ShouldBe(HttpStatusCode.OK);
        var result = await first.Content.ReadFromJsonAsync<IngestResult>();
        result!.Records.ShouldBe(2);
        result.Raw.ShouldBe(3);
        (await again.Content.ReadFromJsonAsync<IngestResult>())!.Duplicate.ShouldBeTrue();
        var byRoute = await server.Admin.GetFromJsonAsync<List<RequestStats>>("/api/v1/apps/tele-shop/environments/prod/requests?by=route");
        var orders = byRoute!.Single(r => r.Key.Contains("/orders/", StringComparison.Ordinal));
        orders.Key.ShouldBe("GET /orders/{id}");
        orders.Requests.ShouldBe(2);
        orders.Errors5xx.ShouldBe(1);
        orders.ErrorRate.ShouldBe(0.5);
        var counters = await server.Admin.GetFromJsonAsync<Dictionary<string, long>>("/api/v1/telemetry/counters");
        counters!["access_lines_unparsed"].ShouldBeGreaterThanOrEqualTo(1);
        counters["lines_truncated"].ShouldBeGreaterThanOrEqualTo(1);
        counters["batches_duplicate"].ShouldBeGreaterThanOrEqualTo(1);
    }

    [Fact]
    public async Task Search_FindsLinesByWordsLevelAndHost_AndRefusesBadSyntax()
    {
        using var agent = await AgentAsync();
        var marker = "zq" + Guid.NewGuid().ToString("N")[..10];
        (await agent.PostAsync("/api/agent/v1/ingest?seq=100", Batch(100,
            new ShippedLine("tele-shop", "app", "web.log", $"fail: payment {marker} declined for order 12", DateTimeOffset.UtcNow),
            new ShippedLine("tele-shop", "app", "web.log", $"info: payment {marker} retried", DateTimeOffset.UtcNow),
            new ShippedLine("tele-shop", "app", "web.log", "info: unrelated line", DateTimeOffset.UtcNow)))).EnsureSuccessStatusCode();

        var both = await server.Admin.GetFromJsonAsync<List<LogLineView>>($"/api/v1/apps/tele-shop/environments/prod/logs?q={marker}");
        var errors = await server.Admin.GetFromJsonAsync<List<LogLineView>>($"/api/v1/apps/tele-shop/environments/prod/logs?q={marker}&level=error&host=tele-1");
        var phrase = await server.Admin.GetFromJsonAsync<List<LogLineView>>($"/api/v1/apps/tele-shop/environments/prod/logs?q=%22{marker}%20declined%22");
        var bad = await server.Admin.GetAsync("/api/v1/apps/tele-shop/environments/prod/logs?q=%22unclosed");

        both!.Count.ShouldBe(2);
        errors!.ShouldHaveSingleItem().Text.ShouldContain("declined");
        phrase!.ShouldHaveSingleItem().Level.ShouldBe("error");
        bad.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await bad.Content.ReadAsStringAsync()).ShouldContain("is not valid full-text syntax");
    }

    [Fact]
    public async Task AppErrors_StackTracesStayTogether_ANewFingerprintRaisesOneEvent()
    {
        using var agent = await AgentAsync();
        var marker = "Q" + Guid.NewGuid().ToString("N")[..8];
        ShippedLine Line(string text) => new("tele-shop", "app", "web-2.0.0.log", text, DateTimeOffset.UtcNow);
        var trace = new[] { Line($"fail: {marker}Exception: order 17 failed"), Line("   at Shop.Checkout.Pay() in Checkout.cs:line 9"), Line("   at Shop.Checkout.Run()") };

        (await agent.PostAsync("/api/agent/v1/ingest?seq=300", Batch(300, [.. trace, Line("info: fine")]))).EnsureSuccessStatusCode();
        (await agent.PostAsync("/api/agent/v1/ingest?seq=301", Batch(301, [Line($"fail: {marker}Exception: order 18 failed"), Line("   at Shop.Checkout.Pay() in Checkout.cs:line 9")]))).EnsureSuccessStatusCode();

        var lines = await server.Admin.GetFromJsonAsync<List<LogLineView>>($"/api/v1/apps/tele-shop/environments/prod/logs?q={marker}Exception");
        lines!.Count.ShouldBe(2);
        lines.ShouldContain(l => l.Text.Split('\n').Length == 3);
        var events = await server.Admin.GetFromJsonAsync<List<EventView>>("/api/v1/events?kind=error.new&app=tele-shop&limit=100");
        var raised = events!.Where(e => e.Title.Contains(marker, StringComparison.Ordinal)).ShouldHaveSingleItem();
        raised.Title.ShouldBe($"New error in tele-shop 2.0.0 (prod): fail: {marker}Exception: order <n> failed");
        raised.Text.ShouldContain("at Shop.Checkout.Pay() in Checkout.cs:line <n>");
        var groups = await server.Admin.GetFromJsonAsync<JsonElement>("/api/v1/apps/tele-shop/environments/prod/errors");
        groups.EnumerateArray().Single(g => g.GetProperty("message").GetString()!.Contains(marker)).GetProperty("count").GetInt64().ShouldBe(2);
    }

    [Fact]
    public async Task ALineMatchingAnErrorPattern_IsAnError_WhateverItsLevelSays()
    {
        using var agent = await AgentAsync();
        var marker = "P" + Guid.NewGuid().ToString("N")[..8];
        ShippedLine Line(string text) => new("tele-shop", "app", "shared/data/payments.log", text, DateTimeOffset.UtcNow);

        (await agent.PostAsync("/api/agent/v1/ingest?seq=400", Batch(400,
            Line($"2026-11-22 10:00:01 payment provider timeout {marker} for order 31"),
            Line($"info: payment provider ok {marker} for order 32")))).EnsureSuccessStatusCode();

        var errors = await server.Admin.GetFromJsonAsync<List<LogLineView>>($"/api/v1/apps/tele-shop/environments/prod/logs?q={marker}&level=error");
        errors!.ShouldHaveSingleItem().Text.ShouldContain("timeout");
        var events = await server.Admin.GetFromJsonAsync<List<EventView>>("/api/v1/events?kind=error.new&app=tele-shop&limit=100");
        events!.ShouldContain(e => e.Title.Contains($"payment provider timeout {marker}", StringComparison.Ordinal));
        var counters = await server.Admin.GetFromJsonAsync<Dictionary<string, long>>("/api/v1/telemetry/counters");
        counters!["lines_matched_error_patterns"].ShouldBeGreaterThanOrEqualTo(1);
    }

    [Fact]
    public async Task AKnownErrorComingFarMoreOftenThanItUsedTo_RaisesASpike_ASteadyOneDoesNot()
    {
        using var agent = await AgentAsync();
        var spiking = "S" + Guid.NewGuid().ToString("N")[..8];
        var steady = "T" + Guid.NewGuid().ToString("N")[..8];
        var now = DateTimeOffset.UtcNow;
        ShippedLine Line(string name, DateTimeOffset at) => new("tele-shop", "app", "web-3.0.0.log", $"fail: {name}Exception: cart {Random.Shared.Next()} lost", at);
        // Ten minutes of history: the spiking error twice, the steady one every 30 s.
        var history = new List<ShippedLine> { Line(spiking, now.AddMinutes(-9)), Line(spiking, now.AddMinutes(-5)) };
        for (var s = 600; s > 60; s -= 30)
            history.Add(Line(steady, now.AddSeconds(-s)));
        (await agent.PostAsync("/api/agent/v1/ingest?seq=500", Batch(500, [.. history]))).EnsureSuccessStatusCode();
        // The last minute: the spiking error twelve times within 33 s (the detector counts 10 s buckets, so a
        // burst spread wider could lose its first bucket to the window's edge, by the wall clock's second),
        // the steady one at its usual pace.
        var burst = Enumerable.Range(0, 12).Select(i => Line(spiking, now.AddSeconds(-40 + i * 3)))
            .Concat([Line(steady, now.AddSeconds(-40)), Line(steady, now.AddSeconds(-10))]).ToArray();
        (await agent.PostAsync("/api/agent/v1/ingest?seq=501", Batch(501, burst))).EnsureSuccessStatusCode();

        var events = await server.Admin.GetFromJsonAsync<List<EventView>>("/api/v1/events?kind=error.spike&app=tele-shop&limit=100");
        var raised = events!.Where(e => e.Title.Contains(spiking, StringComparison.Ordinal)).ShouldHaveSingleItem();
        raised.Title.ShouldStartWith("Error spiking in tele-shop (prod)");
        raised.Text.ShouldStartWith("12 times in the last 60 s");
        raised.Tags.ShouldContain("release:3.0.0");
        raised.Tags.ShouldContain(t => t.StartsWith("fingerprint:", StringComparison.Ordinal));
        events!.ShouldNotContain(e => e.Title.Contains(steady, StringComparison.Ordinal));
    }

    [Fact]
    public async Task NewRoutes_AreTheOnesFirstSeenAfterTheGivenTime()
    {
        using var agent = await AgentAsync();
        var old = new ShippedLine("tele-shop", "access", "access.log",
            $$"""{"ts":"{{DateTimeOffset.UtcNow.AddHours(-2):O}}","method":"GET","path":"/basket","status":200,"ms":3,"bytes":1,"release":"1.0.0"}""", DateTimeOffset.UtcNow);
        (await agent.PostAsync("/api/agent/v1/ingest?seq=200", Batch(200, old, Access("/basket", 200, 3), Access("/saved/searches/9", 200, 3), Access("/saved/searches/10", 200, 3)))).EnsureSuccessStatusCode();

        var since = DateTimeOffset.UtcNow.AddHours(-1).ToUnixTimeSeconds();
        var fresh = await server.Admin.GetFromJsonAsync<List<NewRouteView>>($"/api/v1/apps/tele-shop/environments/prod/routes/new?since={since}");

        var route = fresh!.ShouldHaveSingleItem();
        route.Route.ShouldBe("/saved/searches/{id}");
        route.Hits.ShouldBe(2);
    }

    [Theory]
    [InlineData("not gzip at all", "is not a gzip-compressed JSON batch")]
    [InlineData("gzip:{\"seq\": 2, \"lines\": [", "is not a gzip-compressed JSON batch")]
    [InlineData("gzip:{\"seq\": 3, \"dropped\": 0, \"lines\": []}", "says it is batch 3")]
    public async Task Ingest_GarbageBatch_Is400WithTheReason_AndTheServerGoesOn(string body, string expected)
    {
        using var agent = await AgentAsync();
        HttpContent content = body.StartsWith("gzip:", StringComparison.Ordinal) ? Gzip(Encoding.UTF8.GetBytes(body[5..])) : new ByteArrayContent(Encoding.UTF8.GetBytes(body)) { Headers = { ContentEncoding = { "gzip" } } };

        var response = await agent.PostAsync("/api/agent/v1/ingest?seq=2", content);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await response.Content.ReadAsStringAsync()).ShouldContain(expected);
        (await server.Admin.GetAsync("/healthz")).EnsureSuccessStatusCode();
    }

    [Theory]
    [InlineData("requests?from=yesterday", "'from' must be Unix seconds or an ISO 8601 time, not 'yesterday'")]
    [InlineData("requests?by=route&to=2026-13-45", "'to' must be Unix seconds")]
    [InlineData("requests/count?from=soon", "'from' must be Unix seconds")]
    [InlineData("logs?q=x&to=later", "'to' must be Unix seconds")]
    [InlineData("errors?since=a-while", "'since' must be Unix seconds")]
    [InlineData("routes/new?since=then", "'since' must be Unix seconds")]
    public async Task Telemetry_TimeThatIsNoTime_Is400NamingIt(string query, string expected)
    {
        var response = await server.Admin.GetAsync($"/api/v1/apps/tele-shop/environments/prod/{query}");

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await response.Content.ReadAsStringAsync()).ShouldContain(expected);
    }

    [Fact]
    public async Task Ingest_GzipBomb_IsRefusedAtItsBound()
    {
        using var agent = await AgentAsync();
        var bomb = Encoding.UTF8.GetBytes("{\"seq\": 4, \"lines\": [{\"text\": \"" + new string('a', 70 << 20) + "\"}]}");

        var response = await agent.PostAsync("/api/agent/v1/ingest?seq=4", Gzip(bomb));

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await response.Content.ReadAsStringAsync()).ShouldContain("larger than");
    }

    [Fact]
    public async Task Ingest_IsOnlyForAgents()
    {
        (await server.Admin.PostAsync("/api/agent/v1/ingest?seq=1", Batch(1))).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await server.Anonymous.PostAsync("/api/agent/v1/ingest?seq=1", Batch(1))).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }
}
