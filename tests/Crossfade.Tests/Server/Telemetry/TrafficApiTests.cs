using System.Net;
using System.Net.Http.Json;
using Crossfade.Contracts.V1;
using Crossfade.Server.Storage;
using Crossfade.Tests.Server.Api;
using Microsoft.Extensions.DependencyInjection;

namespace Crossfade.Tests.Server.Telemetry;

public sealed class TrafficApiTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    private const string Spec = "app: quiet-shop\nrun: ./run\nenvironments:\n  prod:\n    hosts:\n      quiet-1: [web]\n";
    private static readonly System.Text.Json.JsonSerializerOptions Json = Crossfade.Server.Api.JsonBody.Options;

    /// <summary>Three weeks of hourly traffic, busy but for the hour that starts three hours before the last whole hour each day.</summary>
    private async Task<int> SeedAsync()
    {
        (await server.Admin.PostAsJsonAsync("/api/v1/apps", new { spec = Spec, fileName = "crossfade.yml" })).EnsureSuccessStatusCode();
        var store = server.App.Services.GetRequiredService<IStore>();
        var now = DateTimeOffset.UtcNow;
        var lastWhole = new DateTimeOffset(now.UtcDateTime.Date.AddHours(now.UtcDateTime.Hour), TimeSpan.Zero).AddHours(-1);
        var quietHour = lastWhole.AddHours(-3).Hour;
        var rollups = new List<MinuteRollup>();
        for (var hour = lastWhole.AddDays(-21); hour <= lastWhole; hour = hour.AddHours(1))
            rollups.Add(new MinuteRollup(hour.ToUnixTimeSeconds() / 60, "quiet-shop", "prod", "quiet-1", "1.0.0", "/", "GET",
                hour.Hour == quietHour ? 3 : 400, 0, 10, ""));
        await store.IngestAsync(new IngestWrite("quiet-1", 1, rollups.Count, [], [], rollups, new Dictionary<string, long>(), now), default);
        return quietHour;
    }

    [Fact]
    public async Task Traffic_NamesTheQuietHour_InTheZoneAsked()
    {
        var quietHour = await SeedAsync();

        var view = (await server.Admin.GetFromJsonAsync<TrafficView>("/api/v1/apps/quiet-shop/environments/prod/traffic?tz=Asia/Kolkata", Json))!;

        view.TimeZone.ShouldBe("Asia/Kolkata");
        view.Requests.ShouldBeGreaterThan(100_000);
        var kolkata = TimeZoneInfo.FindSystemTimeZoneById("Asia/Kolkata");
        // Kolkata is 5:30 ahead of UTC: a UTC hour starts at half past a local hour, and counts in that one.
        view.Quietest[0].Hour.ShouldBe((quietHour + 5) % 24);
        view.Quietest[0].RequestsPerHour.ShouldBeLessThan(250);
        kolkata.BaseUtcOffset.ShouldBe(TimeSpan.FromMinutes(330));
        var local = (quietHour + 5) % 24;
        // An hour that ends past midnight names the day it ends on too ("Mon 23:30-Tue 00:30").
        var endDay = local == 23 ? @"[A-Z][a-z]{2} " : "";
        view.Quietest[0].Label.ShouldMatch($@"^[A-Z][a-z]{{2}} {local:00}:30-{endDay}{(local + 1) % 24:00}:30 Asia/Kolkata$");
    }

    [Theory]
    [InlineData("tz=Mars/Olympus", 400, "Mars/Olympus")]
    [InlineData("tz=Europe", 400, "'Europe' is not a time zone")]
    [InlineData("days=0", 400, "'days'")]
    [InlineData("days=91", 400, "'days'")]
    [InlineData("hours=25", 400, "'hours'")]
    public async Task Traffic_BadQuery_IsRefusedNamingWhatIsWrong(string query, int status, string named)
    {
        await SeedAsync();

        var response = await server.Admin.GetAsync($"/api/v1/apps/quiet-shop/environments/prod/traffic?{query}");

        ((int)response.StatusCode).ShouldBe(status);
        (await response.Content.ReadAsStringAsync()).ShouldContain(named);
    }

    [Fact]
    public async Task Traffic_UnknownAppOrEnvironment_IsNotFound()
    {
        await SeedAsync();

        (await server.Admin.GetAsync("/api/v1/apps/nope/environments/prod/traffic")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await server.Admin.GetAsync("/api/v1/apps/quiet-shop/environments/staging/traffic")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }
}
