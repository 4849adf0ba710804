using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Crossfade.Contracts.V1;
using Crossfade.Tests.Server.Api;
using Microsoft.Data.Sqlite;

namespace Crossfade.Tests.Server.Audit;

/// <summary>Every change is a record — made, refused or failed — with who, from where, what and why, chained so tampering shows.</summary>
public sealed class AuditApiTests : IAsyncLifetime
{
    private const string Spec = "app: audit-shop\nrun: ./run\nconfig:\n  file: deploy/config.yml\n  secrets: [db_password]\nenvironments:\n  prod:\n    hosts:\n      audit-1: [web]\n";
    private readonly ServerFixture _server = new();

    public Task InitializeAsync() => _server.InitializeAsync();

    public Task DisposeAsync() => _server.DisposeAsync();

    private async Task<HttpClient> TokenAsync(string role, string name)
    {
        var created = await (await _server.Admin.PostAsJsonAsync("/api/v1/tokens", new { role, name })).Content.ReadFromJsonAsync<JsonElement>();
        var client = _server.ClientWith("Bearer " + created.GetProperty("token").GetString());
        client.DefaultRequestHeaders.UserAgent.ParseAdd("audit-test/1.0");
        return client;
    }

    private async Task<List<AuditRecordView>> AuditAsync(string query = "") =>
        (await _server.Admin.GetFromJsonAsync<List<AuditRecordView>>("/api/v1/audit" + query))!;

    private async Task<AuditVerifyView> VerifyAsync(string query = "") =>
        (await _server.Admin.GetFromJsonAsync<AuditVerifyView>("/api/v1/audit/verify" + query))!;

    private void Sql(string statement)
    {
        using var connection = new SqliteConnection($"Data Source={Path.Combine(_server.DataDir, "crossfade.db")};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = statement;
        command.ExecuteNonQuery();
    }

    [Fact]
    public async Task Changes_AreRecordedWithWhoWhereWhatAndOutcome_ReadsAreNot()
    {
        using var deployer = await TokenAsync("deployer", "dana");
        using var viewer = await TokenAsync("viewer", "vic");

        (await deployer.PostAsJsonAsync("/api/v1/apps", new { spec = Spec })).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await viewer.PostAsJsonAsync("/api/v1/apps", new { spec = Spec })).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await deployer.GetAsync("/api/v1/apps")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await deployer.PostAsJsonAsync("/api/v1/apps/audit-shop/deploys", new { environment = "prod", version = "9.9.9" })).StatusCode.ShouldBe(HttpStatusCode.NotFound);

        var records = await AuditAsync();
        records.Select(r => r.Action).ShouldNotContain(a => a.StartsWith("GET ", StringComparison.Ordinal));
        var applied = records.Single(r => r.Actor == "dana" && r.Action == "POST /api/v1/apps");
        (applied.Role, applied.App, applied.Status, applied.Outcome, applied.Address, applied.UserAgent).ShouldBe(("deployer", "audit-shop", 200, "ok", "127.0.0.1", "audit-test/1.0"));
        applied.TokenId.Length.ShouldBe(12);
        var refused = records.Single(r => r.Actor == "vic");
        (refused.Status, refused.Outcome).ShouldBe((403, "refused"));
        refused.Reason.ShouldContain("needs the 'deployer' role");
        var deploy = records.Single(r => r.Action == "POST /api/v1/apps/{app}/deploys");
        (deploy.Environment, deploy.Parameters["version"], deploy.Status).ShouldBe(("prod", "9.9.9", 404));
        deploy.Reason.ShouldContain("no release '9.9.9'");
        var created = records.Where(r => r.Action == "POST /api/v1/tokens").Select(r => r.Parameters["name"]).ToList();
        created.ShouldBe(["vic", "dana"], ignoreOrder: true);
        (await VerifyAsync()).Intact.ShouldBeTrue();
    }

    [Fact]
    public async Task ASecretsValue_IsNeverRecorded_ItsNameIs()
    {
        (await _server.Admin.PostAsJsonAsync("/api/v1/apps", new { spec = Spec })).EnsureSuccessStatusCode();

        (await _server.Admin.PutAsJsonAsync("/api/v1/apps/audit-shop/secrets/db_password", new { value = "hunter2-very-secret", environment = "prod" }))
            .StatusCode.ShouldBe(HttpStatusCode.NoContent);

        var record = (await AuditAsync()).Single(r => r.Action.StartsWith("PUT ", StringComparison.Ordinal));
        (record.Parameters["name"], record.Environment, record.Outcome).ShouldBe(("db_password", "prod", "ok"));
        var raw = await _server.Admin.GetStringAsync("/api/v1/audit?limit=1000");
        raw.ShouldNotContain("hunter2");
    }

    [Fact]
    public async Task ForgedLineBreaks_InThePathOrUserAgent_CannotForgeARecord()
    {
        using var client = _server.ClientWith(null);
        client.DefaultRequestHeaders.TryAddWithoutValidation("User-Agent", "evil\tFAKE");

        (await client.PostAsJsonAsync("/api/v1/apps/evil%0A%23999%20admin%20deployed/deploys", new { environment = "prod", version = "1" }))
            .StatusCode.ShouldBe(HttpStatusCode.Unauthorized);

        var record = (await AuditAsync()).Single(r => r.Actor == "anonymous");
        record.UserAgent.ShouldBe("evil FAKE");
        record.App.ShouldBe("evil #999 admin deployed");
        record.Path.ShouldNotContain("\n");
        (record.Status, record.Outcome).ShouldBe((401, "refused"));
    }

    [Fact]
    public async Task Verify_FindsADeletedRecord_AnAlteredOne_AndACutTail()
    {
        for (var i = 0; i < 4; i++)
            await TokenAsync("viewer", $"reader-{i}");
        var before = await VerifyAsync();
        (before.Intact, before.Records).ShouldBe((true, 4));

        Sql("UPDATE audit SET actor = 'mallory' WHERE seq = 3");
        var altered = await VerifyAsync();
        (altered.Intact, altered.BrokenAt).ShouldBe((false, 3L));
        altered.Problem!.ShouldContain("altered");

        Sql("DELETE FROM audit WHERE seq = 3");
        var deleted = await VerifyAsync();
        (deleted.Intact, deleted.BrokenAt).ShouldBe((false, 4L));
        deleted.Problem!.ShouldContain("record 3 is missing");

        Sql("DELETE FROM audit WHERE seq >= 3");
        (await VerifyAsync()).Intact.ShouldBeTrue();
        var cut = await VerifyAsync($"?head={before.HeadHash}");
        cut.Intact.ShouldBeFalse();
        cut.Problem!.ShouldContain(before.HeadHash);
    }

    [Fact]
    public async Task Filters_ByWhoAppAndTime_AndBadOnesAreNamed()
    {
        using var deployer = await TokenAsync("deployer", "filter-dana");
        (await deployer.PostAsJsonAsync("/api/v1/apps", new { spec = Spec })).EnsureSuccessStatusCode();

        (await AuditAsync("?who=filter-dana")).ShouldAllBe(r => r.Actor == "filter-dana");
        (await AuditAsync("?who=filter-dana")).Count.ShouldBe(1);
        (await AuditAsync("?app=audit-shop")).Single().Actor.ShouldBe("filter-dana");
        (await AuditAsync($"?since={Uri.EscapeDataString(DateTimeOffset.UtcNow.AddHours(1).ToString("O"))}")).ShouldBeEmpty();
        var bad = await _server.Admin.GetAsync("/api/v1/audit?since=yesterday-ish");
        bad.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await bad.Content.ReadAsStringAsync()).ShouldContain("'since'");
        using var viewer = await TokenAsync("viewer", "nosy");
        (await viewer.GetAsync("/api/v1/audit")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task TheDashboardsAuditPage_ShowsTheChainAndRecords_ToAdminsOnly()
    {
        using var deployer = await TokenAsync("deployer", "page-dana");
        (await deployer.PostAsJsonAsync("/api/v1/apps", new { spec = Spec })).EnsureSuccessStatusCode();

        var page = await _server.Admin.GetStringAsync("/admin/audit?who=page-dana&verify=true");

        page.ShouldContain("data-chain=\"intact\"");
        page.ShouldContain("/api/v1/apps");
        page.ShouldContain("page-dana");
        (await deployer.GetAsync("/admin/audit")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        Sql("UPDATE audit SET reason = 'nothing to see' WHERE seq = 1");
        (await _server.Admin.GetStringAsync("/admin/audit?verify=true")).ShouldContain("data-chain=\"broken\"");
    }
}
