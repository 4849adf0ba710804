using System.Diagnostics;

namespace Crossfade.IntegrationTests.Hosts;

/// <summary>
/// The system user a test's <c>host add</c> creates for the agent (which <c>host remove</c> keeps, by design):
/// removed again by the test that made it, so the machine is left as it was found.
/// </summary>
internal static class TestUser
{
    public const string Agent = "cf-it-agent";

    public static async Task<bool> ExistsAsync(string user = Agent) => await RunAsync("id", "-u", user) == 0;

    /// <summary>Removes <paramref name="user"/> when <paramref name="existedBefore"/> is false; its last processes may take a moment to end.</summary>
    public static async Task RemoveIfMadeAsync(bool existedBefore, string user = Agent)
    {
        if (existedBefore)
            return;
        for (var attempt = 0; attempt < 20 && await ExistsAsync(user); attempt++)
        {
            if (await RunAsync("userdel", user) == 0)
                return;
            await Task.Delay(TimeSpan.FromMilliseconds(250));
        }
    }

    private static async Task<int> RunAsync(string program, params string[] arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(program, arguments) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        await process.WaitForExitAsync();
        return process.ExitCode;
    }
}
