using Crossfade.Core.Config;
using System.Text;
using Crossfade.Contracts.V1;

namespace Crossfade.IntegrationTests.Config;

public sealed class SecretNeverLeavesTheHostsConfig
{
    [Fact]
    public async Task SecretValues_AreOnlyInTheConvergedFiles_NeverInStoreLogsOrApi()
    {
        await using var fleet = await Fleet.StartAsync(nameof(SecretNeverLeavesTheHostsConfig));
        // A careless release: it writes its payment key to its output at start.
        await fleet.PushAsync("1.0.0", "GEARSHOP_LOG_PAYMENT_KEY=1");
        var first = await fleet.DeployAsync("1.0.0");
        const string rotated = "pk_rotated_9b1f0c2d7e6a5b4c3d2e1f00";
        await fleet.Api.SetSecretAsync(Fleet.App, "payment_api_key", rotated, Fleet.Env, CancellationToken.None);
        var converge = await fleet.ConvergeAsync(whyRun: false);

        first.State.ShouldBe(DeployState.Succeeded, first.Reason);
        converge.State.ShouldBe(DeployState.Succeeded, converge.Reason);
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

        // The app wrote both keys to its own log on its host; they were shipped masked.
        var shipped = await WaitForLinesAsync(fleet, "payment gateway configured with key", 4);
        shipped.ShouldAllBe(l => l.Text.StartsWith($"warn: payment gateway configured with key {Redactor.Mask}; retrying with ?key={Redactor.Mask}"));
        var appLogs = Directory.EnumerateFiles(fleet.Local.Dir, "web-1.0.0.log", SearchOption.AllDirectories).Select(Read).ToList();
        appLogs.ShouldContain(l => l.Contains(fleet.Secret) && l.Contains(rotated));
        foreach (var host in fleet.Local.Hosts)
        {
            var masks = Path.Combine(fleet.Local.AgentRoot(host.Name), "secrets", "gear-shop.json");
            File.GetUnixFileMode(masks).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        var everywhere = FilesOutsideHostConfig(fleet.Local.Dir).ToList();
        everywhere.ShouldContain(f => f.EndsWith("crossfade.db", StringComparison.Ordinal));
        foreach (var secret in new[] { fleet.Secret, rotated })
        {
            apiText.ShouldNotContain(secret);
            everywhere.Where(f => Read(f).Contains(secret, StringComparison.Ordinal)).ShouldBeEmpty($"the secret {secret} was found outside the hosts' converged config");
        }
    }

    /// <summary>
    /// Every file the fleet wrote — store and its WAL, server and agent logs, spool batches, state — but
    /// what stays on a host with the secret in it by design: its converged config, the agent's masks,
    /// the app's own output (this app logs its key), and the server's key ring.
    /// </summary>
    private static IEnumerable<string> FilesOutsideHostConfig(string root) =>
        Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories).Where(f =>
            !f.Contains("/apps/gear-shop/config/", StringComparison.Ordinal) && !f.Contains("/server/keys/", StringComparison.Ordinal)
            && !f.Contains("/releases/", StringComparison.Ordinal) && !f.EndsWith("/secrets/gear-shop.json", StringComparison.Ordinal)
            && !(f.Contains("/apps/gear-shop/shared/log/", StringComparison.Ordinal) && Path.GetFileName(f).StartsWith("web-", StringComparison.Ordinal)));

    private static async Task<List<Contracts.V1.LogLineView>> WaitForLinesAsync(Fleet fleet, string text, int count)
    {
        for (var i = 0; i < 300; i++)
        {
            var lines = (await fleet.Api.SearchLogsAsync(Fleet.App, Fleet.Env, "q=" + Uri.EscapeDataString($"\"{text}\"") + "&limit=1000", CancellationToken.None))
                .Where(l => l.Text.Contains(text, StringComparison.Ordinal)).ToList();
            if (lines.Count >= count)
                return lines;
            await Task.Delay(100);
        }
        throw new TimeoutException($"fewer than {count} lines with '{text}' were shipped");
    }

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
        // Spool batches are gzip: read what they hold, not their compressed bytes.
        var gzip = stream.ReadByte() == 0x1f & stream.ReadByte() == 0x8b;
        stream.Position = 0;
        using var inner = gzip ? new System.IO.Compression.GZipStream(stream, System.IO.Compression.CompressionMode.Decompress) : (Stream)stream;
        using var reader = new StreamReader(inner, Encoding.Latin1);
        return reader.ReadToEnd();
    }
}
