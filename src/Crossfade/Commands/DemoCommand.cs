using System.CommandLine;
using System.Globalization;
using Crossfade.Demo;

namespace Crossfade.Commands;

/// <summary><c>crossfade demo</c>: the embedded default on this machine.</summary>
public static class DemoCommand
{
    public static Command Create()
    {
        var ci = new Option<bool>("--ci") { Description = "run the scenario, print one summary line and exit (0 only if nothing failed)" };
        var dir = new Option<string>("--dir") { DefaultValueFactory = _ => "./.demo", Description = "working folder (wiped at start)" };
        var command = new Command("demo", "a server, three web hosts and a worker on this machine: deploy, deploy under traffic, roll back") { ci, dir };
        command.SetAction(async (parse, ct) =>
        {
            var hosts = new[] { ("web-1", "web"), ("web-2", "web"), ("web-3", "web"), ("worker-1", "worker,migrator") };
            Console.WriteLine("starting a server and 4 hosts (web-1..3, worker-1) on this machine...");
            await using var fleet = await LocalFleet.StartAsync(parse.GetValue(dir)!, hosts, ct);
            Console.WriteLine($"server {fleet.ServerUrl}; hosts enrolled; proxies on " + string.Join(", ", fleet.Hosts.Where(h => h.Roles == "web").Select(h => $"{h.Name}=:{h.ProxyPort}")));
            // Opened now, the dashboard shows the scenario as it happens: the deploys live, the traffic graph with their bands, the rollback.
            await DashboardCommand.PrintAsync(fleet.Api, Console.Out, ct);
            DemoResult result;
            try
            {
                result = await new DemoScenario(fleet, Console.Out).RunAsync(ct);
            }
            catch (Cli.ApiError ex)
            {
                await Console.Error.WriteLineAsync($"demo: the server refused a step of the scenario: {ex.Message}");
                return 1;
            }
            var ok = result.Failed == 0 && result.AllAsExpected;
            if (parse.GetValue(ci))
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"demo: requests={result.Requests} failed={result.Failed} deploys={result.Deploys} rollbacks={result.Rollbacks} p99_steady_ms={result.SteadyP99:0.0} p99_cutover_ms={result.CutoverP99:0.0} judged_rollbacks={result.JudgedRollbacks} bad_release_errors={result.BadReleaseErrors}"));
                return ok ? 0 : 1;
            }
            Console.WriteLine($"\nthe fleet keeps running. server: {fleet.ServerUrl}");
            await DashboardCommand.PrintAsync(fleet.Api, Console.Out, ct);
            Console.WriteLine($"  export CROSSFADE_SERVER={fleet.ServerUrl} CROSSFADE_TOKEN={fleet.AdminToken}");
            Console.WriteLine($"  ./crossfade history gear-shop; ./crossfade status gear-shop --env production; curl http://127.0.0.1:{fleet.Hosts[0].ProxyPort}/listings");
            Console.WriteLine("press Ctrl-C to stop every process the demo started");
            try
            {
                await Task.Delay(Timeout.Infinite, ct);
            }
            catch (OperationCanceledException)
            {
                Console.WriteLine("stopping...");
            }
            return ok ? 0 : 1;
        });
        return command;
    }
}
