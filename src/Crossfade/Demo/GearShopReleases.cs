using System.Diagnostics;

namespace Crossfade.Demo;

/// <summary>Builds gear-shop once and makes release folders of it, each with its own VERSION (and knobs).</summary>
public static class GearShopReleases
{
    /// <summary>The published gear-shop: <c>artifacts/gear-shop</c>, published now if it is not there.</summary>
    public static async Task<string> BuildAsync(TextWriter log, CancellationToken ct)
    {
        var repo = RepoPaths.Root() ?? throw new InvalidOperationException("cannot find examples/gear-shop: run from the Crossfade checkout");
        var output = Path.Combine(repo, "artifacts", "gear-shop");
        if (File.Exists(Path.Combine(output, "GearShop.dll")))
            return output;
        log.WriteLine("building gear-shop (first run only)...");
        var info = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "publish", Path.Combine(repo, "examples", "gear-shop", "GearShop.csproj"), "-c", "Release", "-r", "linux-x64", "--no-self-contained", "-o", output, "--nologo", "-v", "quiet" })
            info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync(ct);
        var stderr = process.StandardError.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"dotnet publish of gear-shop failed: {await stdout}{await stderr}");
        return output;
    }

    /// <summary>A release folder: the build, a VERSION file and, optionally, a gear-shop.env of knobs.</summary>
    public static string Make(string build, string releasesDir, string version, params string[] knobs)
    {
        var target = Path.Combine(releasesDir, version);
        if (Directory.Exists(target))
            Directory.Delete(target, recursive: true);
        foreach (var file in Directory.EnumerateFiles(build, "*", SearchOption.AllDirectories))
        {
            var to = Path.Combine(target, Path.GetRelativePath(build, file));
            Directory.CreateDirectory(Path.GetDirectoryName(to)!);
            File.Copy(file, to);
        }
        File.WriteAllText(Path.Combine(target, "VERSION"), version + "\n");
        if (knobs.Length > 0)
            File.WriteAllLines(Path.Combine(target, "gear-shop.env"), knobs);
        return target;
    }

    /// <summary>Makes a release folder of the build and pushes it as <paramref name="version"/>.</summary>
    public static async Task<Contracts.V1.ReleaseView> PushAsync(
        Cli.ApiClient api, string build, string releasesDir, string version, string? message, CancellationToken ct, params string[] knobs) =>
        await PushAsync(api, build, releasesDir, version, null, message, ct, knobs);

    /// <summary>Makes a release folder of the build and pushes it as <paramref name="version"/>, built from <paramref name="commit"/>.</summary>
    public static async Task<Contracts.V1.ReleaseView> PushAsync(
        Cli.ApiClient api, string build, string releasesDir, string version, string? commit, string? message, CancellationToken ct, params string[] knobs)
    {
        var folder = Make(build, releasesDir, version, knobs);
        await using var archive = new MemoryStream();
        Core.Artifacts.ArchivePacker.Pack(folder, archive);
        archive.Position = 0;
        return await api.PushReleaseAsync("gear-shop", version, commit, message, archive, ct);
    }

    /// <summary>
    /// Applies a gear-shop spec and sets the secret its configuration needs (a fresh random payment key,
    /// returned so tests can look for it where it must never appear).
    /// </summary>
    public static async Task<string> ApplyAsync(Cli.ApiClient api, string spec, CancellationToken ct)
    {
        await api.ApplyAsync(spec, "crossfade.yml", ct);
        var key = "pk_demo_" + Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));
        await api.SetSecretAsync("gear-shop", "payment_api_key", key, null, ct);
        return key;
    }

    /// <summary>
    /// The spec the demo, tests and benchmarks apply: gear-shop's own <c>crossfade.yml</c>, with its
    /// environment's hosts replaced by the local fleet's and every host's database in one shared file.
    /// </summary>
    /// <remarks>
    /// The example's <c>judge:</c> is kept only when <paramref name="judged"/>: a test that does not
    /// look at the judge runs its deploys without a judged window (each would take its minimum time).
    /// </remarks>
    public static string Spec(string databasePath, string environment, IEnumerable<LocalHost> hosts, bool judged = false)
    {
        var repo = RepoPaths.Root() ?? throw new InvalidOperationException("cannot find examples/gear-shop");
        var example = File.ReadAllText(Path.Combine(repo, "examples", "gear-shop", "crossfade.yml"));
        if (!judged)
            example = WithoutSection(example, "judge");
        var cut = example.IndexOf("\nenvironments:", StringComparison.Ordinal);
        if (cut < 0)
            throw new InvalidOperationException("examples/gear-shop/crossfade.yml must end with its environments");
        // The local database joins the example's own variables (a second env: key would be a duplicate).
        var database = $"  GEARSHOP_DATABASE: \"{databasePath}\"\n";
        var head = example[..(cut + 1)];
        var env = head.IndexOf("\nenv:\n", StringComparison.Ordinal);
        var text = new System.Text.StringBuilder(env < 0 ? head + "env:\n" + database : head.Insert(env + "\nenv:\n".Length, database));
        text.Append($"environments:\n  {environment}:\n");
        text.Append(EnvironmentVariables(example[cut..], environment));
        text.Append("    hosts:\n");
        // A host that only builds (the role 'builder') serves no app, so it is in no environment.
        foreach (var host in hosts.Where(h => h.Roles.Split(',').Any(Core.Specs.HostRoles.All.Contains)))
            text.Append($"      {host.Name}: [{host.Roles.Replace(",", ", ")}]\n");
        return text.ToString();
    }

    /// <summary>The spec without one top-level section (its key and every indented line under it).</summary>
    private static string WithoutSection(string spec, string key)
    {
        var lines = spec.Split('\n').ToList();
        var start = lines.IndexOf($"{key}:");
        if (start < 0)
            return spec;
        var end = start + 1;
        while (end < lines.Count && lines[end].StartsWith(' '))
            end++;
        lines.RemoveRange(start, end - start);
        return string.Join('\n', lines);
    }

    /// <summary>The <c>variables:</c> block of one environment of the example spec, as written there.</summary>
    private static string EnvironmentVariables(string environments, string environment)
    {
        var start = environments.IndexOf($"\n  {environment}:\n    variables:\n", StringComparison.Ordinal);
        if (start < 0)
            return "";
        var lines = environments[(start + environment.Length + 5)..].Split('\n');
        return string.Concat(lines.Skip(1).TakeWhile(l => l.StartsWith("      ", StringComparison.Ordinal)).Prepend("    variables:").Select(l => l + "\n"));
    }
}
