using Crossfade.Contracts.V1;

namespace Crossfade.IntegrationTests.Deploys;

public sealed class CorruptArtifactIsRefusedOnTheHost
{
    [Fact]
    public async Task ArtifactCorruptedInStore_FailsHashCheckOnEveryHost_NothingUnpacked()
    {
        await using var fleet = await Fleet.StartAsync(nameof(CorruptArtifactIsRefusedOnTheHost));
        await fleet.PushAsync("1.0.0");
        await fleet.PushAsync("2.0.0");
        (await fleet.DeployAsync("1.0.0")).State.ShouldBe(DeployState.Succeeded);
        var artifacts = Path.Combine(fleet.Local.Dir, "server", "artifacts", "sha256");
        var newest = new DirectoryInfo(artifacts).GetFiles().OrderByDescending(f => f.CreationTimeUtc).First();
        await using (var file = newest.OpenWrite())
        {
            file.Seek(1000, SeekOrigin.Begin);
            file.Write("corrupted by the test"u8);
        }

        // The server reads the release's configuration from the artifact, so it notices first.
        var refused = await Should.ThrowAsync<Cli.ApiError>(() => fleet.DeployAsync("2.0.0"));
        refused.Message.ShouldContain("does not match its sha256");
        // Without a configuration to read, the hosts' own hash check is what stops it.
        await fleet.ReapplyAsync(spec => System.Text.RegularExpressions.Regex.Replace(
            System.Text.RegularExpressions.Regex.Replace(spec, @"\nconfig:\n(  .*\n)+", "\n"), @"\n    variables:\n(      .*\n)+", "\n"));
        var deploy = await fleet.DeployAsync("2.0.0");

        deploy.State.ShouldBe(DeployState.Aborted);
        deploy.Reason.ShouldNotBeNull();
        deploy.Reason.ShouldContain("hash mismatch");
        foreach (var host in fleet.Local.Hosts)
            Directory.Exists(Path.Combine(fleet.Local.AgentRoot(host.Name), "apps", Fleet.App, "releases", "2.0.0")).ShouldBeFalse();
        (await fleet.ServedVersionsAsync()).ShouldAllBe(v => v == "1.0.0");
        // Every host checked the hash itself: each one's prepare step failed for that reason.
        var prepares = deploy.Steps.Where(s => s.Kind == StepKind.Prepare).ToList();
        prepares.Select(s => s.Host).Order().ShouldBe(fleet.Local.Hosts.Select(h => h.Name).Order());
        prepares.ShouldAllBe(s => s.Status == StepStatus.Failed && s.Message!.Contains("hash mismatch"));
        deploy.Steps.ShouldNotContain(s => s.Kind == StepKind.Converge);
    }
}
