using System.Net;
using System.Net.Http.Json;
using Crossfade.Contracts.V1;
using Crossfade.Server.Storage;
using Crossfade.Tests.Server.Api;
using Microsoft.Extensions.DependencyInjection;

namespace Crossfade.Tests.Server.Judging;

/// <summary>GET …/judge-record: the judge's last word on each judged deploy, enforced or observed, and whether a person rolled the release back later.</summary>
public sealed class JudgeRecordApiTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    private const string Spec = "app: judged-shop\nrun: ./run\nenvironments:\n  prod:\n    hosts:\n      judged-1: [web]\n";
    private static readonly System.Text.Json.JsonSerializerOptions Json = Crossfade.Server.Api.JsonBody.Options;

    private async Task<long> DeployAsync(IStore store, DeployKind kind, string version, string? from, DeployState end, string? reason, DateTimeOffset at)
    {
        var draft = new DeployRecord(0, "judged-shop", "prod", kind, version, from, DeployState.Queued, "ann", "cli", at, null, null);
        var id = (await store.CreateDeployAsync(draft, null, false, default)).Deploy.Id;
        await store.SetDeployStateAsync(id, end, reason, at.AddMinutes(1), true, default);
        return id;
    }

    private static VerdictRecord Verdict(long deploy, JudgeOutcome outcome, string action, bool enforced, DateTimeOffset at) =>
        new(0, deploy, at, DeployState.Judging, outcome, action, true, $"{outcome} summary", 500, 4_500, "[]", enforced);

    [Fact]
    public async Task JudgeRecord_SaysWhatTheJudgeDidOrWouldHave_AndWhetherAPersonAgreedLater()
    {
        (await server.Admin.PostAsJsonAsync("/api/v1/apps", new { spec = Spec, fileName = "crossfade.yml" })).EnsureSuccessStatusCode();
        var store = server.App.Services.GetRequiredService<IStore>();
        var t = DateTimeOffset.UtcNow.AddHours(-2);
        // Observed: 1.1 would have been rolled back, and a person did roll it back; 1.2 passed; 1.3 was rolled back by the judge itself.
        var observedBad = await DeployAsync(store, DeployKind.Deploy, "1.1.0", "1.0.0", DeployState.Succeeded, null, t);
        await store.AddVerdictAsync(Verdict(observedBad, JudgeOutcome.Fail, "would have rolled back (observe mode)", false, t), default);
        await DeployAsync(store, DeployKind.Rollback, "1.0.0", "1.1.0", DeployState.Succeeded, null, t.AddMinutes(5));
        var observedGood = await DeployAsync(store, DeployKind.Deploy, "1.2.0", "1.0.0", DeployState.Succeeded, null, t.AddMinutes(10));
        await store.AddVerdictAsync(Verdict(observedGood, JudgeOutcome.Pass, "passed (observe mode)", false, t.AddMinutes(10)), default);
        var enforcedBad = await DeployAsync(store, DeployKind.Deploy, "1.3.0", "1.2.0", DeployState.RolledBack, "the judge failed 1.3.0: …", t.AddMinutes(20));
        await store.AddVerdictAsync(Verdict(enforcedBad, JudgeOutcome.Fail, "rolled back", true, t.AddMinutes(20)), default);

        var view = (await server.Admin.GetFromJsonAsync<JudgeRecordView>("/api/v1/apps/judged-shop/environments/prod/judge-record", Json))!;

        view.Deploys.Select(d => (d.Version, d.Outcome, d.Enforced, d.RolledBackByHand)).ShouldBe(
        [
            ("1.3.0", JudgeOutcome.Fail, true, false),
            ("1.2.0", JudgeOutcome.Pass, false, false),
            ("1.1.0", JudgeOutcome.Fail, false, true),
        ]);
        (await server.Admin.GetAsync("/api/v1/apps/judged-shop/environments/prod/judge-record?limit=0")).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await server.Admin.GetAsync("/api/v1/apps/no-such-app/environments/prod/judge-record")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await server.Anonymous.GetAsync("/api/v1/apps/judged-shop/environments/prod/judge-record")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }
}
