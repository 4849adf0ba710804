using System.Text;

namespace Crossfade.IntegrationTests.Config;

public sealed class SecretNeverLeavesTheHostsConfig
{
    [Fact]
    public async Task SecretValues_AreOnlyInTheConvergedFiles_NeverInStoreLogsOrApi()
    {
        await using var fleet = await Fleet.StartAsync(nameof(SecretNeverLeavesTheHostsConfig));
        await fleet.PushAsync("1.0.0");
        var first = await fleet.DeployAsync("1.0.0");
        const string rotated = "pk_rotated_9b1f0c2d7e6a5b4c3d2e1f00";
        await fleet.Api.SetSecretAsync(Fleet.App, "payment_api_key", rotated, Fleet.Env, CancellationToken.None);
        var converge = await fleet.ConvergeAsync(whyRun: false);

        first.State.ShouldBe("Succeeded", first.Reason);
        converge.State.ShouldBe("Succeeded", converge.Reason);
        fleet.ConfigFile("web-1", "settings/gear-shop.json")!.ShouldContain(rotated);
        var diff = converge.Steps.Single(s => s.Host == "web-1").Converge!.Resources.Single(r => r.Status == "changed").Diff!;
        diff.ShouldContain("-  \"paymentApiKey\": \"[redacted]\"");
        diff.ShouldContain("+  \"paymentApiKey\": \"[redacted]\"");

        var api = new StringBuilder();
        foreach (var d in await fleet.Api.HistoryAsync(Fleet.App, 50, null, CancellationToken.None))
        {
            api.Append(System.Text.Json.JsonSerializer.Serialize(d));
            foreach (var line in await fleet.Api.LogsAsync(d.Id, null, 0, CancellationToken.None))
                api.AppendLine(line.Line);
        }
        api.Append(System.Text.Json.JsonSerializer.Serialize(await fleet.Api.SecretsAsync(Fleet.App, CancellationToken.None)));
        var events = await fleet.Api.EventsAsync("limit=1000", CancellationToken.None);
        events.ShouldContain(e => e.Kind == "converge.host" && e.Text.Contains("changed file[settings/gear-shop.json]"));
        api.Append(System.Text.Json.JsonSerializer.Serialize(events));
        api.Append(System.Text.Json.JsonSerializer.Serialize(await fleet.Api.StatusAsync(Fleet.App, Fleet.Env, CancellationToken.None)));
        var apiText = api.ToString();
        apiText.ShouldContain("[redacted]");

        var everywhere = FilesOutsideHostConfig(fleet.Local.Dir).ToList();
        everywhere.ShouldContain(f => f.EndsWith("crossfade.db", StringComparison.Ordinal));
        foreach (var secret in new[] { fleet.Secret, rotated })
        {
            apiText.ShouldNotContain(secret);
            everywhere.Where(f => Read(f).Contains(secret, StringComparison.Ordinal)).ShouldBeEmpty($"the secret {secret} was found outside the hosts' converged config");
        }
    }

    /// <summary>Every file the fleet wrote — store, server and agent logs, app logs, state — but the hosts' converged config and the key ring.</summary>
    private static IEnumerable<string> FilesOutsideHostConfig(string root) =>
        Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories).Where(f =>
            !f.Contains("/apps/gear-shop/config/", StringComparison.Ordinal) && !f.Contains("/server/keys/", StringComparison.Ordinal)
            && !f.Contains("/releases/", StringComparison.Ordinal));

    private static string Read(string path)
    {
        // The live agents delete a spool batch once the server has it (its lines are in the store, read too).
        if (!File.Exists(path))
            return "";
        try
        {
            return ReadExisting(path);
        }
        catch (FileNotFoundException)
        {
            return "";
        }
    }

    private static string ReadExisting(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream, Encoding.Latin1);
        return reader.ReadToEnd();
    }
}
