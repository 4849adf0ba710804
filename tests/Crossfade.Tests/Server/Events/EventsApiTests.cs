using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Crossfade.Tests.Server.Api;

namespace Crossfade.Tests.Server.Events;

public sealed class EventsApiTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    [Fact]
    public async Task Post_DatadogShapedEvent_IsStoredAndFoundByItsTags()
    {
        var marker = Guid.NewGuid().ToString("N")[..8];
        var response = await server.Admin.PostAsync("/api/v1/events", Json($$"""
            {"title": "CDN purge {{marker}}", "text": "purged /assets/*", "tags": ["app:gear-shop", "env:production", "team:{{marker}}"],
             "alert_type": "warning", "aggregation_key": "cdn-{{marker}}", "date_happened": 1795000000, "host": "edge-1", "source_type_name": "fastly"}
            """));

        response.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        var posted = (await response.Content.ReadFromJsonAsync<JsonElement>());
        posted.GetProperty("status").GetString().ShouldBe("ok");
        var found = await server.Admin.GetFromJsonAsync<JsonElement>($"/api/v1/events?tags=team:{marker},env:production&app=gear-shop");
        var e = found.EnumerateArray().ShouldHaveSingleItem();
        e.GetProperty("title").GetString().ShouldBe($"CDN purge {marker}");
        e.GetProperty("alert_type").GetString().ShouldBe("warning");
        e.GetProperty("aggregation_key").GetString().ShouldBe($"cdn-{marker}");
        e.GetProperty("host").GetString().ShouldBe("edge-1");
        e.GetProperty("source").GetString().ShouldBe("fastly");
        e.GetProperty("kind").GetString().ShouldBe("external");
        e.GetProperty("at").GetDateTimeOffset().ShouldBe(DateTimeOffset.FromUnixTimeSeconds(1795000000));
        (await server.Admin.GetFromJsonAsync<JsonElement>($"/api/v1/events?tags=team:{marker},env:staging")).GetArrayLength().ShouldBe(0);
        (await server.Admin.GetFromJsonAsync<JsonElement>($"/api/v1/events?tags=team:{marker}&start=1795000001")).GetArrayLength().ShouldBe(0);
        (await server.Admin.GetFromJsonAsync<JsonElement>($"/api/v1/events?tags=team:{marker}&start=2026-11-18T00:00:00Z&end=1795000000")).GetArrayLength().ShouldBe(1);
    }

    [Theory]
    [InlineData("{\"text\": \"no title\"}", "title")]
    [InlineData("{\"title\": \"x\", \"alert_type\": \"panic\"}", "'alert_type' 'panic' is not one of")]
    [InlineData("{\"title\": \"x\", \"date_happened\": 12}", "'date_happened' 12")]
    [InlineData("{\"title\": \"x\", \"date_happened\": \"yesterday\"}", "$.date_happened")]
    [InlineData("{\"title\": \"x\", \"tags\": \"app:shop\"}", "$.tags")]
    [InlineData("{\"title\": \"x\", \"tags\": [null]}", "tag")]
    [InlineData("{\"title\": ", "malformed")]
    public async Task Post_BadEvent_Is400NamingTheProblem_AndStoresNothing(string body, string expected)
    {
        var before = (await server.Admin.GetFromJsonAsync<JsonElement>("/api/v1/events?limit=1")).EnumerateArray().Select(e => e.GetProperty("id").GetInt64()).FirstOrDefault();

        var response = await server.Admin.PostAsync("/api/v1/events", Json(body));

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await response.Content.ReadAsStringAsync()).ShouldContain(expected);
        var after = (await server.Admin.GetFromJsonAsync<JsonElement>("/api/v1/events?limit=1")).EnumerateArray().Select(e => e.GetProperty("id").GetInt64()).FirstOrDefault();
        after.ShouldBe(before);
    }

    [Theory]
    [InlineData("start=last-tuesday", "'start' must be Unix seconds or an ISO 8601 time")]
    [InlineData("limit=0", "'limit' must be a whole number from 1 to 1000")]
    [InlineData("after=x", "'after' must be an event id")]
    public async Task List_BadQuery_Is400(string query, string expected)
    {
        var response = await server.Admin.GetAsync($"/api/v1/events?{query}");

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await response.Content.ReadAsStringAsync()).ShouldContain(expected);
    }

    [Fact]
    public async Task Stream_DeliversAnEventPostedWhileFollowing()
    {
        var marker = Guid.NewGuid().ToString("N")[..8];
        using var follower = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = server.Admin.BaseAddress };
        follower.DefaultRequestHeaders.Authorization = server.Admin.DefaultRequestHeaders.Authorization;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var response = await follower.GetAsync($"/api/v1/events/stream?tags=run:{marker}", HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("text/event-stream");
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(timeout.Token));

        (await server.Admin.PostAsync("/api/v1/events", Json($$"""{"title": "first {{marker}}", "tags": ["run:{{marker}}"]}"""))).EnsureSuccessStatusCode();
        (await server.Admin.PostAsync("/api/v1/events", Json($$"""{"title": "other", "tags": ["run:someone-else"]}"""))).EnsureSuccessStatusCode();
        (await server.Admin.PostAsync("/api/v1/events", Json($$"""{"title": "second {{marker}}", "tags": ["run:{{marker}}"]}"""))).EnsureSuccessStatusCode();

        var titles = new List<string>();
        while (titles.Count < 2 && await reader.ReadLineAsync(timeout.Token) is { } line)
            if (line.StartsWith("data: ", StringComparison.Ordinal))
                titles.Add(JsonDocument.Parse(line[6..]).RootElement.GetProperty("title").GetString()!);
        titles.ShouldBe([$"first {marker}", $"second {marker}"]);
    }

    [Fact]
    public async Task Events_KeepToTheirRoles()
    {
        (await server.Anonymous.GetAsync("/api/v1/events")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        var created = await (await server.Admin.PostAsJsonAsync("/api/v1/tokens", new { role = "viewer", name = "watcher" })).Content.ReadFromJsonAsync<JsonElement>();
        using var viewer = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = server.Admin.BaseAddress };
        viewer.DefaultRequestHeaders.Authorization = new("Bearer", created.GetProperty("token").GetString());

        (await viewer.GetAsync("/api/v1/events")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await viewer.PostAsync("/api/v1/events", Json("{\"title\": \"x\"}"))).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
    }
}
