using System.Globalization;
using System.Text;
using Crossfade.Cli;
using Crossfade.Contracts.V1;
using Crossfade.Core.Artifacts;
using Crossfade.Demo;

namespace Crossfade.Bench;

/// <summary>
/// Converge time for a configuration of 50 resources (folders, templated files, links, guarded
/// commands) on 10 hosts, each an agent with its own root on this machine: the first converge (all
/// created), a converge with nothing to do, a why-run, and converges where half the files change.
/// </summary>
public static class Converge
{
    private const int Folders = 10, Files = 25, Links = 5, Commands = 10;

    public static async Task<int> RunAsync(string[] args)
    {
        var hostCount = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 10;
        var rounds = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 5;
        var hosts = Enumerable.Range(1, hostCount).Select(i => ($"web-{i}", i == 1 ? "web,migrator" : "web"));
        await using var fleet = await LocalFleet.StartAsync(Path.Combine(Path.GetTempPath(), "cf-bench-converge"), hosts, default, "cli");
        var build = await GearShopReleases.BuildAsync(Console.Out, default);
        var spec = GearShopReleases.Spec(Path.Combine(fleet.Dir, "shop-db", "shop.db"), "production", fleet.Hosts)
            .Replace("timeout_seconds: 30", "timeout_seconds: 180")
            .Replace("file: crossfade/config.yml", "file: crossfade/bench.yml");
        await GearShopReleases.ApplyAsync(fleet.Api, WithEdition(spec, 0), default);
        var folder = GearShopReleases.Make(build, Path.Combine(fleet.Dir, "releases"), "1.0.0");
        WriteBenchConfig(folder);
        await using (var archive = new MemoryStream())
        {
            ArchivePacker.Pack(folder, archive);
            archive.Position = 0;
            await fleet.Api.PushReleaseAsync("gear-shop", "1.0.0", null, "bench config", archive, default);
        }

        var watcher = new DeployWatcher(fleet.Api, TextWriter.Null);
        var deploy = await watcher.WatchAsync(await fleet.Api.DeployAsync("gear-shop", "production", "1.0.0", default), default);
        Require(deploy);
        var firstPhase = deploy.Phases.Single(p => p.Name == DeployState.Converging);
        var resources = deploy.Steps.First(s => s.Kind == StepKind.Converge).Converge!.Resources.Count;
        Console.WriteLine($"{hostCount} hosts x {resources} resources: first converge in the deploy (everything created) {Seconds(firstPhase.StartedAt, firstPhase.EndedAt)}; "
            + $"changed per host {string.Join("/", deploy.Steps.Where(s => s.Kind == StepKind.Converge).Select(s => s.Converge!.Changed).Distinct())}");

        var noop = await TimedAsync(fleet, watcher, whyRun: false);
        Console.WriteLine($"converge with nothing to change: {noop.Seconds:0.00}s, changed {noop.Changed}");
        var whyRun = await TimedAsync(fleet, watcher, whyRun: true);
        Console.WriteLine($"why-run with nothing to change: {whyRun.Seconds:0.00}s");

        var changing = new List<double>();
        for (var round = 1; round <= rounds; round++)
        {
            await fleet.Api.ApplyAsync(WithEdition(spec, round), "crossfade.yml", default);
            var predicted = await TimedAsync(fleet, watcher, whyRun: true);
            var real = await TimedAsync(fleet, watcher, whyRun: false);
            changing.Add(real.Seconds);
            Console.WriteLine($"round {round}: why-run {predicted.Seconds:0.00}s predicts {predicted.Changed} changes; converge {real.Seconds:0.00}s made {real.Changed} ({real.Changed / hostCount} per host)");
            if (predicted.Changed != real.Changed)
                throw new InvalidOperationException($"why-run predicted {predicted.Changed} changes but the converge made {real.Changed}");
        }
        var median = changing.Order().ElementAt(changing.Count / 2);
        Console.WriteLine($"load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]}");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"converge: hosts={hostCount} resources={resources} seconds={median:0.00}"));
        return 0;
    }

    private static async Task<(double Seconds, int Changed)> TimedAsync(LocalFleet fleet, DeployWatcher watcher, bool whyRun)
    {
        var done = await watcher.WatchAsync(await fleet.Api.ConvergeAsync("gear-shop", "production", whyRun, default), default);
        Require(done);
        return ((done.FinishedAt!.Value - done.CreatedAt).TotalSeconds, done.Steps.Sum(s => s.Converge!.Changed));
    }

    private static void Require(Contracts.V1.DeployView d)
    {
        if (d.State != DeployState.Succeeded)
            throw new InvalidOperationException($"#{d.Id} {d.Kind} ended {d.State}: {d.Reason}");
    }

    /// <summary>The spec with an 'edition' variable: every odd-numbered file's template uses it, so a new edition changes half the files.</summary>
    private static string WithEdition(string spec, int edition) =>
        spec.Replace("\n  variables:\n", $"\n  variables:\n    edition: \"{edition}\"\n");

    private static void WriteBenchConfig(string release)
    {
        var dir = Path.Combine(release, "crossfade");
        Directory.CreateDirectory(Path.Combine(dir, "bench"));
        var yaml = new StringBuilder("resources:\n");
        for (var i = 0; i < Folders; i++)
            yaml.Append($"  - directory: bench/d{i}\n    mode: \"0750\"\n");
        for (var i = 0; i < Files; i++)
        {
            yaml.Append($"  - file: bench/d{i % Folders}/settings-{i}.conf\n    template: crossfade/bench/t{i}.tmpl\n    mode: \"0640\"\n");
            var template = new StringBuilder($"# settings {i} for {{{{ host }}}} in {{{{ env }}}}\n");
            for (var line = 0; line < 40; line++)
                template.Append(line == 20 && i % 2 == 1 ? "edition = {{ edition }}\n" : $"key_{line} = {{{{ currency }}}}-{line}\n");
            File.WriteAllText(Path.Combine(dir, "bench", $"t{i}.tmpl"), template.ToString());
        }
        for (var i = 0; i < Links; i++)
            yaml.Append($"  - link: bench/current-{i}.conf\n    to: d{i}/settings-{i}.conf\n");
        for (var i = 0; i < Commands; i++)
            yaml.Append(i % 2 == 0
                ? $"  - command: seed-{i}\n    run: echo seeded > bench/seed-{i}\n    creates: bench/seed-{i}\n"
                : $"  - command: check-{i}\n    run: echo {i} >> bench/checks.log\n    unless: grep -qx {i} bench/checks.log\n");
        File.WriteAllText(Path.Combine(dir, "bench.yml"), yaml.ToString());
    }

    private static string Seconds(DateTimeOffset from, DateTimeOffset? to) => DeployWatcher.Seconds(from, to);
}
