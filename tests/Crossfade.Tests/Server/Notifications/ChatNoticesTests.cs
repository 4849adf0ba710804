using System.Net.Http.Json;
using System.Text.Json;
using Crossfade.Contracts.V1;
using Crossfade.Core.Builds;
using Crossfade.Server.Config;
using Crossfade.Server.Storage;
using Crossfade.Tests.Server.Deploys;
using Microsoft.Extensions.DependencyInjection;

namespace Crossfade.Tests.Server.Notifications;

/// <summary>A deploy's notices reach Slack, Teams and a signed webhook in their real shapes, from the outbox; a dead endpoint delays nothing.</summary>
public sealed class ChatNoticesTests
{
    private static async Task SecretAsync(DeployRunHarness harness, string name, string value)
    {
        var vault = harness.Services.GetRequiredService<SecretVault>();
        await harness.Store.UpsertSecretAsync(new SecretRecord(DeployRunHarness.App, "", name, vault.Protect(DeployRunHarness.App, value), harness.Time.GetUtcNow(), "ann"), default);
    }

    private static async Task<List<RecordingListener.Request>> WaitForAsync(RecordingListener listener, int count)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (listener.Requests.Count < count)
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"{listener.Requests.Count} of {count} notices arrived");
            await Task.Delay(20);
        }
        return [.. listener.Requests];
    }

    [Fact]
    public async Task ADeploysNotices_ReachSlackTeamsAndASignedWebhook_InTheirShapes()
    {
        await using var slack = new RecordingListener();
        await using var teams = new RecordingListener();
        await using var hook = new RecordingListener();
        await using var harness = await DeployRunHarness.StartAsync(
            "    notify:\n      - slack: slack_url\n      - teams: teams_url\n        events: [deploy.succeeded]\n      - webhook: hook_url\n        signing_secret: hook_key\n");
        await SecretAsync(harness, "slack_url", slack.Url + "/services/T000/B000/XXXX");
        await SecretAsync(harness, "teams_url", teams.Url + "/workflows/abc");
        await SecretAsync(harness, "hook_url", hook.Url + "/ops");
        await SecretAsync(harness, "hook_key", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");

        var id = await harness.DeployAsync();
        await harness.PlayHostsAsync(id, DeployState.Succeeded);

        var slackPosts = await WaitForAsync(slack, 2);
        slackPosts[0].Path.ShouldBe("/services/T000/B000/XXXX");
        var finished = JsonDocument.Parse(slackPosts[1].Text).RootElement;
        finished.GetProperty("text").GetString()!.ShouldContain("2.0.0");
        var blocks = finished.GetProperty("blocks").EnumerateArray().ToList();
        blocks[0].GetProperty("text").GetProperty("text").GetString()!.ShouldStartWith(":white_check_mark:");
        var facts = blocks[1].GetProperty("fields").EnumerateArray().Select(f => f.GetProperty("text").GetString()).ToList();
        facts.ShouldContain("*Who*\nann");
        facts.ShouldContain("*Release*\n2.0.0");
        blocks[2].GetProperty("elements")[0].GetProperty("url").GetString()!.ShouldEndWith($"/deploys/{id}");

        var card = JsonDocument.Parse((await WaitForAsync(teams, 1)).Single().Text).RootElement;
        card.GetProperty("type").GetString().ShouldBe("message");
        var attachment = card.GetProperty("attachments")[0];
        attachment.GetProperty("contentType").GetString().ShouldBe("application/vnd.microsoft.card.adaptive");
        attachment.GetProperty("content").GetProperty("type").GetString().ShouldBe("AdaptiveCard");
        attachment.GetProperty("content").GetProperty("body").EnumerateArray().Single(b => b.GetProperty("type").GetString() == "FactSet")
            .GetProperty("facts").EnumerateArray().Select(f => f.GetProperty("title").GetString()).ShouldContain("Duration");

        var delivered = await WaitForAsync(hook, 2);
        foreach (var post in delivered)
            WebhookSignatures.Standard("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", post.Headers["webhook-id"], post.Headers["webhook-timestamp"],
                post.Headers["webhook-signature"], post.Body, harness.Time.GetUtcNow()).ShouldBeNull();
        delivered.Select(p => JsonDocument.Parse(p.Text).RootElement.GetProperty("type").GetString()).ShouldBe(["deploy.started", "deploy.succeeded"]);
        var data = JsonDocument.Parse(delivered[1].Text).RootElement.GetProperty("data");
        (data.GetProperty("who").GetString(), data.GetProperty("release").GetString(), data.GetProperty("outcome").GetString()).ShouldBe(("ann", "2.0.0", "Succeeded"));
    }

    [Fact]
    public async Task ASlackBot_PostsOneMessagePerDeploy_AndEditsItAsTheDeployGoes()
    {
        await using var api = new RecordingListener { Answer = (_, n) => n == 1 ? """{"ok":true,"channel":"C42","ts":"1700000000.000100"}""" : """{"ok":true}""" };
        await using var harness = await DeployRunHarness.StartAsync($"    notify:\n      - slack_bot: bot_token\n        channel: deploys\n        api: {api.Url}/api\n");
        await SecretAsync(harness, "bot_token", "xoxb-test-token");

        var id = await harness.DeployAsync();
        await harness.PlayHostsAsync(id, DeployState.Succeeded);
        var calls = await WaitForAsync(api, 2);

        calls.Select(c => c.Path).ShouldBe(["/api/chat.postMessage", "/api/chat.update"]);
        calls.ShouldAllBe(c => c.Headers["Authorization"] == "Bearer xoxb-test-token");
        JsonDocument.Parse(calls[0].Text).RootElement.GetProperty("channel").GetString().ShouldBe("deploys");
        var update = JsonDocument.Parse(calls[1].Text).RootElement;
        (update.GetProperty("channel").GetString(), update.GetProperty("ts").GetString()).ShouldBe(("C42", "1700000000.000100"));
    }

    [Fact]
    public async Task AnEndpointThatIsDown_DelaysNothing_AndIsRetriedWithoutItsAddressShown()
    {
        await using var live = new RecordingListener();
        var dead = $"http://127.0.0.1:{Crossfade.Agent.Instances.FreePorts.Next()}/services/T/B/secret-path";
        await using var harness = await DeployRunHarness.StartAsync("    notify:\n      - slack: dead_url\n      - teams: live_url\n");
        await SecretAsync(harness, "dead_url", dead);
        await SecretAsync(harness, "live_url", live.Url + "/teams");

        var id = await harness.DeployAsync();
        await harness.PlayHostsAsync(id, DeployState.Succeeded);
        await WaitForAsync(live, 2);

        using var admin = harness.Admin();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        List<NoticeView> notices;
        while (((notices = (await admin.GetFromJsonAsync<List<NoticeView>>("/api/v1/notices?app=shop"))!).Single(n => n.Target == "slack" && n.Notice == "deploy.started").Attempts == 0
                || notices.Any(n => n.Target == "teams" && n.State != "sent")) && DateTime.UtcNow < deadline)
            await Task.Delay(20);
        var tried = notices.Single(n => n.Target == "slack" && n.Notice == "deploy.started");
        (tried.State, tried.Attempts).ShouldBe(("pending", 1));
        tried.LastError.ShouldNotBeNull();
        // The target's next notice waits its turn: a chat shows a deploy's notices in order.
        notices.Single(n => n.Target == "slack" && n.Notice == "deploy.succeeded").Attempts.ShouldBe(0);
        notices.Where(n => n.Target == "teams").ShouldAllBe(n => n.State == "sent");
        (await admin.GetStringAsync("/api/v1/notices?app=shop")).ShouldNotContain("secret-path");
        tried.LastError!.ShouldNotContain("127.0.0.1");

        harness.Time.Advance(TimeSpan.FromSeconds(6));
        deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while ((await admin.GetFromJsonAsync<List<NoticeView>>("/api/v1/notices?app=shop"))!.First(n => n.Target == "slack" && n.Notice == "deploy.started").Attempts < 2
               && DateTime.UtcNow < deadline)
            await Task.Delay(20);
        (await admin.GetFromJsonAsync<List<NoticeView>>("/api/v1/notices?app=shop"))!.First(n => n.Target == "slack" && n.Notice == "deploy.started").Attempts.ShouldBe(2);
    }

    [Fact]
    public async Task AnAddressThatIsNoAddress_IsATriedNotice_NotALoop()
    {
        await using var harness = await DeployRunHarness.StartAsync("    notify:\n      - slack: typo_url\n");
        await SecretAsync(harness, "typo_url", "hooks.slack.com/services/no-scheme");

        var id = await harness.DeployAsync();
        await harness.PlayHostsAsync(id, DeployState.Succeeded);
        using var admin = harness.Admin();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        NoticeView first;
        while ((first = (await admin.GetFromJsonAsync<List<NoticeView>>("/api/v1/notices?app=shop"))!.Single(n => n.Notice == "deploy.started")).Attempts == 0 && DateTime.UtcNow < deadline)
            await Task.Delay(20);
        await Task.Delay(300);

        var after = (await admin.GetFromJsonAsync<List<NoticeView>>("/api/v1/notices?app=shop"))!.Single(n => n.Notice == "deploy.started");
        (after.State, after.Attempts).ShouldBe(("pending", 1));
        after.LastError.ShouldNotBeNull();
        after.LastError.ShouldNotContain("no-scheme");
    }
}
