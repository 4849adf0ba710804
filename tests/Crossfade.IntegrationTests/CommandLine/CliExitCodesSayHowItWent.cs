using System.Diagnostics;
using System.Text.Json;
using Crossfade.Agent.Instances;

namespace Crossfade.IntegrationTests.CommandLine;

/// <summary>A fleet for the CLI tests: gear-shop with a good, an aborting and a rolling-back release.</summary>
public sealed class CliFleet : IAsyncLifetime
{
    public Fleet Fleet { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Fleet = await Fleet.StartAsync(nameof(CliExitCodesSayHowItWent));
        await Fleet.PushAsync("1.0.0");
        await Fleet.PushAsync("2.0.0", "GEARSHOP_MIGRATE_FAIL=1");
        await Fleet.PushAsync("3.0.0", "GEARSHOP_FAIL_CHECKS_AFTER=3");
    }

    public async Task DisposeAsync() => await Fleet.DisposeAsync();
}

/// <summary>
/// The real <c>crossfade</c> executable, run as a user would: exit 0 only when the thing asked for
/// happened, a clear error for a server that is down or a token it refuses, JSON that parses, and the
/// server and token taken from the environment.
/// </summary>
public sealed class CliExitCodesSayHowItWent(CliFleet cli) : IClassFixture<CliFleet>
{
    private Fleet Fleet => cli.Fleet;

    private async Task<(int Exit, string Out, string Err)> RunAsync(string[] args, string? server = null, string? token = null)
    {
        var self = Crossfade.Cli.SelfCommand.Get();
        var info = new ProcessStartInfo(self[0]) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in self.Skip(1).Concat(args))
            info.ArgumentList.Add(a);
        // Server and token come from the environment, as a CI job would set them.
        info.Environment["CROSSFADE_SERVER"] = server ?? Fleet.Local.ServerUrl;
        info.Environment["CROSSFADE_TOKEN"] = token ?? Fleet.Local.AdminToken;
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output, await error);
    }

    [Fact]
    public async Task Deploy_ExitsZeroOnlyWhenItSucceeded_AndNonZeroWhenAbortedOrRolledBack()
    {
        var good = await RunAsync(["deploy", Fleet.App, "--version", "1.0.0", "--env", Fleet.Env]);
        var aborted = await RunAsync(["deploy", Fleet.App, "--version", "2.0.0", "--env", Fleet.Env]);
        var rolledBack = await RunAsync(["deploy", Fleet.App, "--version", "3.0.0", "--env", Fleet.Env, "--json"]);

        good.Exit.ShouldBe(0, good.Err);
        good.Out.ShouldContain("Succeeded");
        aborted.Exit.ShouldBe(1);
        aborted.Out.ShouldContain("Aborted");
        aborted.Out.ShouldContain("migration exited with code 1");
        rolledBack.Exit.ShouldBe(1);
        var view = JsonDocument.Parse(rolledBack.Out).RootElement;
        view.GetProperty("state").GetString().ShouldBe("RolledBack");
        view.GetProperty("version").GetString().ShouldBe("3.0.0");
    }

    [Fact]
    public async Task ReadCommands_WithJson_PrintJsonThatParses()
    {
        var hosts = await RunAsync(["hosts", "--json"]);

        hosts.Exit.ShouldBe(0, hosts.Err);
        JsonDocument.Parse(hosts.Out).RootElement.EnumerateArray().Select(h => h.GetProperty("name").GetString()).Order()
            .ShouldBe(["web-1", "web-2", "worker-1"]);
    }

    [Fact]
    public async Task Traffic_DrawsTheWeekByHour_OrSaysWhatIsWrongWithTheZone()
    {
        var drawn = await RunAsync(["traffic", Fleet.App, "--env", Fleet.Env, "--tz", "Europe/Berlin"]);
        var json = await RunAsync(["traffic", Fleet.App, "--env", Fleet.Env, "--json", "--days", "7"]);
        var badZone = await RunAsync(["traffic", Fleet.App, "--env", Fleet.Env, "--tz", "Mars/Olympus"]);

        drawn.Exit.ShouldBe(0, drawn.Err);
        drawn.Out.Split('\n').Count(l => l.Length > 4 && l[..3] is "Mon" or "Tue" or "Wed" or "Thu" or "Fri" or "Sat" or "Sun").ShouldBe(7);
        drawn.Out.ShouldContain("hours in Europe/Berlin");
        json.Exit.ShouldBe(0, json.Err);
        JsonDocument.Parse(json.Out).RootElement.GetProperty("cells").GetArrayLength().ShouldBe(7 * 24);
        badZone.Exit.ShouldNotBe(0);
        (badZone.Out + badZone.Err).ShouldContain("'Mars/Olympus' is not a time zone");
    }

    [Fact]
    public async Task ServerThatIsDown_IsAClearErrorNamingIt_WithItsOwnExitCode()
    {
        var closed = $"http://127.0.0.1:{FreePorts.Next()}";

        var result = await RunAsync(["status", Fleet.App, "--env", Fleet.Env], server: closed);

        result.Exit.ShouldBe(3);
        result.Err.ShouldContain($"cannot reach the server at {closed}");
        result.Out.ShouldBeEmpty();
    }

    [Theory]
    [InlineData("cfa_forged")]
    [InlineData("")]
    public async Task TokenTheServerRefuses_IsAClearError(string token)
    {
        var result = await RunAsync(["history", Fleet.App], token: token);

        result.Exit.ShouldBe(1);
        result.Err.ShouldStartWith("error:");
        result.Err.ShouldContain("401");
    }

    [Fact]
    public async Task MissingRequiredOption_IsAUsageError()
    {
        var result = await RunAsync(["deploy", Fleet.App, "--env", Fleet.Env]);

        result.Exit.ShouldNotBe(0);
        result.Err.ShouldContain("--version");
    }
}
