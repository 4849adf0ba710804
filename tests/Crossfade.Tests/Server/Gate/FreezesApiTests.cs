using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Crossfade.Contracts.V1;
using Crossfade.Tests.Server.Api;

namespace Crossfade.Tests.Server.Gate;

/// <summary>Freezes added and lifted by admins only, listed with whether they hold, each change on the timeline and in the audit trail.</summary>
public sealed class FreezesApiTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    private const string Spec = "app: frozen-shop\nrun: ./run\nenvironments:\n  prod:\n    hosts:\n      f-1: [web]\n";
    private static readonly JsonSerializerOptions Json = Crossfade.Server.Api.JsonBody.Options;

    private async Task ApplyAsync() =>
        (await server.Admin.PostAsJsonAsync("/api/v1/apps", new { spec = Spec })).EnsureSuccessStatusCode();

    [Fact]
    public async Task AFreeze_IsAddedListedAndLifted_OnTheTimelineAndInTheAudit()
    {
        await ApplyAsync();

        var added = await server.Admin.PostAsJsonAsync("/api/v1/apps/frozen-shop/environments/prod/freezes",
            new { reason = "weekend", every = "Fri 16:00-Mon 08:00", zone = "Europe/Berlin" });
        added.StatusCode.ShouldBe(HttpStatusCode.Created);
        var freeze = (await added.Content.ReadFromJsonAsync<FreezeView>(Json))!;

        freeze.Window.ShouldBe("Fri 16:00-Mon 08:00 Europe/Berlin");
        (freeze.NextStart ?? freeze.HoldsUntil).ShouldNotBeNull();
        (await server.Admin.GetFromJsonAsync<List<FreezeView>>("/api/v1/freezes?app=frozen-shop", Json))!.ShouldContain(f => f.Id == freeze.Id);
        (await server.Admin.DeleteAsync($"/api/v1/freezes/{freeze.Id}")).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        (await server.Admin.GetFromJsonAsync<List<FreezeView>>("/api/v1/freezes?app=frozen-shop", Json))!.ShouldNotContain(f => f.Id == freeze.Id);
        (await server.Admin.DeleteAsync($"/api/v1/freezes/{freeze.Id}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);

        var events = (await server.Admin.GetFromJsonAsync<List<EventView>>("/api/v1/events?app=frozen-shop", Json))!.Select(e => e.Kind).ToList();
        events.ShouldContain(EventKinds.FreezeAdded);
        events.ShouldContain(EventKinds.FreezeRemoved);
        var audit = (await server.Admin.GetFromJsonAsync<List<AuditRecordView>>("/api/v1/audit?limit=1000", Json))!;
        var id = freeze.Id.ToString(System.Globalization.CultureInfo.InvariantCulture);
        audit.Where(r => r.Path.EndsWith($"/freezes/{id}", StringComparison.Ordinal) || r.Parameters.GetValueOrDefault("freeze") == id)
            .Select(r => r.Status).ShouldBe([404, 204, 201]);
    }

    [Theory]
    [InlineData("""{"every":"Fri 16:00-Mon 08:00"}""", "reason")]
    [InlineData("""{"reason":"x","every":"Fri 16:00"}""", "is not a window")]
    [InlineData("""{"reason":"x","every":"18:00-08:00","zone":"Mars/Olympus"}""", "not a time zone")]
    [InlineData("""{"reason":"x","from":"2026-12-24T00:00:00Z"}""", "give 'from' and 'to'")]
    [InlineData("""{"reason":"x","from":"2026-12-24T00:00:00Z","to":"2026-12-23T00:00:00Z"}""", "must be after 'from'")]
    [InlineData("""{"reason":"x","from":"2020-12-24T00:00:00Z","to":"2020-12-25T00:00:00Z"}""", "has passed already")]
    [InlineData("""{"reason":"x","every":"18:00-08:00","from":"2026-12-24T00:00:00Z","to":"2026-12-25T00:00:00Z"}""", "not both")]
    public async Task ABadFreeze_IsRefusedNamingWhatIsWrong_AndNothingIsStored(string body, string problem)
    {
        await ApplyAsync();
        var before = (await server.Admin.GetFromJsonAsync<List<FreezeView>>("/api/v1/freezes", Json))!.Count;

        var response = await server.Admin.PostAsync("/api/v1/apps/frozen-shop/environments/prod/freezes", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await response.Content.ReadAsStringAsync()).ShouldContain(problem);
        (await server.Admin.GetFromJsonAsync<List<FreezeView>>("/api/v1/freezes", Json))!.Count.ShouldBe(before);
    }

    [Fact]
    public async Task ADeployer_CannotAddOrLiftAFreeze()
    {
        await ApplyAsync();
        var created = await (await server.Admin.PostAsJsonAsync("/api/v1/tokens", new { role = "deployer", name = "freeze-dana" })).Content.ReadFromJsonAsync<JsonElement>();
        using var deployer = server.ClientWith("Bearer " + created.GetProperty("token").GetString());

        (await deployer.PostAsJsonAsync("/api/v1/apps/frozen-shop/environments/prod/freezes", new { reason = "mine", every = "18:00-08:00" }))
            .StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await deployer.DeleteAsync("/api/v1/freezes/999999")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await server.Admin.PostAsJsonAsync("/api/v1/apps/frozen-shop/environments/staging/freezes", new { reason = "x", every = "18:00-08:00" }))
            .StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task TheEnvironmentPage_SaysWhenItIsFrozen_AndWhatIsAhead()
    {
        await ApplyAsync();
        var now = DateTimeOffset.UtcNow;
        (await server.Admin.PostAsJsonAsync("/api/v1/apps/frozen-shop/environments/prod/freezes",
            new { reason = "peak sale", from = now.AddMinutes(-1), to = now.AddHours(2) })).EnsureSuccessStatusCode();
        (await server.Admin.PostAsJsonAsync("/api/v1/apps/frozen-shop/environments/prod/freezes",
            new { reason = "year-end close", from = now.AddDays(20), to = now.AddDays(21) })).EnsureSuccessStatusCode();

        var page = await server.Admin.GetStringAsync("/apps/frozen-shop/prod");

        page.ShouldContain("data-frozen=");
        page.ShouldContain("peak sale");
        page.ShouldContain("year-end close");
    }
}
