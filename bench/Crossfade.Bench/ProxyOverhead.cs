using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Crossfade.Agent.Instances;
using Crossfade.Agent.Proxy;
using Crossfade.Cli;
using Crossfade.Demo;

namespace Crossfade.Bench;

/// <summary>
/// Requests/s of gear-shop's /version hit directly, through a crossfade proxy process, and through
/// nginx (when installed), with wrk, 32 keep-alive connections, interleaved rounds; medians compared.
/// </summary>
public static partial class ProxyOverhead
{
    public static async Task<int> RunAsync(string[] args)
    {
        var rounds = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 3;
        if (!Exists("wrk"))
        {
            Console.Error.WriteLine("wrk is not installed (./bench/run installs it when run as root)");
            return 1;
        }
        var dir = Directory.CreateTempSubdirectory("cf-bench-proxy-").FullName;
        var build = await GearShopReleases.BuildAsync(Console.Out, default);
        var appPort = FreePorts.Next();
        var app = Processes.Start("dotnet GearShop.dll", build, new Dictionary<string, string> { ["PORT"] = $"{appPort}", ["GEARSHOP_DATABASE"] = Path.Combine(dir, "shop.db") }, Path.Combine(dir, "app.log"));
        var proxyPort = FreePorts.Next();
        var controlPort = FreePorts.Next();
        var self = string.Join(' ', SelfCommand.Get().Select(Processes.Quote));
        var proxy = Processes.Start($"{self} proxy --port {proxyPort} --control-port {controlPort} --access-log {Processes.Quote(Path.Combine(dir, "access.log"))}", dir, ProxyKeeper.ProcessEnvironment, Path.Combine(dir, "proxy.log"));
        ProcessRef? nginx = null;
        var nginxPort = 0;
        try
        {
            await WaitAsync($"http://127.0.0.1:{appPort}/version");
            await WaitAsync($"http://127.0.0.1:{controlPort}/healthz");
            await MigrateAsync(build, dir);
            using (var http = new HttpClient())
                (await http.PutAsJsonAsync($"http://127.0.0.1:{controlPort}/upstream", new SwapRequest($"http://127.0.0.1:{appPort}/", "bench", 1))).EnsureSuccessStatusCode();
            var nginxBinary = Exists("nginx") ? "nginx" : File.Exists("/usr/sbin/nginx") ? "/usr/sbin/nginx" : null;
            if (nginxBinary is not null)
            {
                nginxPort = FreePorts.Next();
                nginx = StartNginx(nginxBinary, dir, nginxPort, appPort);
                await WaitAsync($"http://127.0.0.1:{nginxPort}/version");
            }
            // Unmeasured warm-up, the same for every target: the .NET processes reach tier-1 code only after
            // tens of thousands of requests, which an 8 s round on 2 busy cores does not give them.
            foreach (var port in new[] { appPort, proxyPort, nginxPort }.Where(p => p != 0))
                await WrkAsync(port, seconds: 20);
            // A representative page first (a SQLite read rendered as JSON), then the trivial worst case
            // (/version), whose figures make the summary line.
            await RoundsAsync("/listings", rounds, appPort, proxyPort, nginxPort);
            var (direct, crossfade, viaNginx) = await RoundsAsync("/version", rounds, appPort, proxyPort, nginxPort);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"proxy-overhead: direct_rps={direct:0} crossfade_rps={crossfade:0} nginx_rps={(viaNginx is { } n ? n.ToString("0", CultureInfo.InvariantCulture) : "na")} ratio_direct={crossfade / direct:0.00} ratio_nginx={(viaNginx is { } m ? (crossfade / m).ToString("0.00", CultureInfo.InvariantCulture) : "na")}"));
            return 0;
        }
        finally
        {
            await Processes.StopAsync(proxy, TimeSpan.FromSeconds(5));
            await Processes.StopAsync(app, TimeSpan.FromSeconds(5));
            await Processes.StopAsync(nginx, TimeSpan.FromSeconds(5));
        }
    }

    private static async Task<(double Direct, double Crossfade, double? Nginx)> RoundsAsync(string path, int rounds, int appPort, int proxyPort, int nginxPort)
    {
        var results = new Dictionary<string, List<double>> { ["direct"] = [], ["crossfade"] = [], ["nginx"] = [] };
        for (var round = 1; round <= rounds; round++)
        {
            results["direct"].Add(await WrkAsync(appPort, path: path));
            results["crossfade"].Add(await WrkAsync(proxyPort, path: path));
            if (nginxPort != 0)
                results["nginx"].Add(await WrkAsync(nginxPort, path: path));
            Console.WriteLine($"{path} round {round}: direct {results["direct"][^1]:0} rps, crossfade {results["crossfade"][^1]:0} rps" + (nginxPort == 0 ? "" : $", nginx {results["nginx"][^1]:0} rps"));
        }
        var direct = Median(results["direct"]);
        var crossfade = Median(results["crossfade"]);
        double? viaNginx = nginxPort == 0 ? null : Median(results["nginx"]);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{path}: direct {direct:0} rps, crossfade {crossfade:0} rps ({crossfade / direct:0.00}x), nginx {(viaNginx is { } n ? $"{n:0} rps, crossfade/nginx {crossfade / n:0.00}x" : "na")}"));
        return (direct, crossfade, viaNginx);
    }

    private static ProcessRef StartNginx(string binary, string dir, int port, int appPort)
    {
        Directory.CreateDirectory(Path.Combine(dir, "nginx", "logs"));
        var conf = Path.Combine(dir, "nginx", "nginx.conf");
        File.WriteAllText(conf, $$"""
            worker_processes auto;
            daemon off;
            pid {{dir}}/nginx/nginx.pid;
            error_log {{dir}}/nginx/logs/error.log warn;
            events { worker_connections 4096; }
            http {
              access_log {{dir}}/nginx/logs/access.log combined buffer=64k flush=1s;
              upstream app { server 127.0.0.1:{{appPort}}; keepalive 64; }
              server {
                listen 127.0.0.1:{{port}};
                location / {
                  proxy_pass http://app;
                  proxy_http_version 1.1;
                  proxy_set_header Connection "";
                  proxy_set_header Host $host;
                  proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
                }
              }
            }
            """);
        return Processes.Start($"{Processes.Quote(binary)} -c {Processes.Quote(conf)} -p {Processes.Quote(Path.Combine(dir, "nginx"))}", dir, new Dictionary<string, string>(), Path.Combine(dir, "nginx", "logs", "stdout.log"));
    }

    private static async Task<double> WrkAsync(int port, int seconds = 8, string path = "/version")
    {
        var info = new ProcessStartInfo("wrk") { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in new[] { "-t2", "-c32", $"-d{seconds}s", $"http://127.0.0.1:{port}{path}" })
            info.ArgumentList.Add(a);
        using var wrk = Process.Start(info)!;
        var output = await wrk.StandardOutput.ReadToEndAsync();
        await wrk.WaitForExitAsync();
        var match = Rps().Match(output);
        if (!match.Success || output.Contains("Non-2xx", StringComparison.Ordinal) || output.Contains("Socket errors", StringComparison.Ordinal))
            throw new InvalidOperationException($"wrk on :{port} did not run cleanly:\n{output}");
        return double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
    }

    private static async Task WaitAsync(string url)
    {
        using var http = new HttpClient();
        for (var i = 0; i < 200; i++)
        {
            try
            {
                if ((await http.GetAsync(url)).IsSuccessStatusCode)
                    return;
            }
            catch (HttpRequestException)
            {
            }
            await Task.Delay(100);
        }
        throw new TimeoutException($"{url} did not answer");
    }

    private static async Task MigrateAsync(string build, string dir)
    {
        var info = new ProcessStartInfo("dotnet", "GearShop.dll migrate") { WorkingDirectory = build, UseShellExecute = false, RedirectStandardOutput = true };
        info.Environment["GEARSHOP_DATABASE"] = Path.Combine(dir, "shop.db");
        using var migrate = Process.Start(info)!;
        await migrate.StandardOutput.ReadToEndAsync();
        await migrate.WaitForExitAsync();
    }

    private static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);

    private static bool Exists(string command) =>
        Environment.GetEnvironmentVariable("PATH")!.Split(':').Any(p => File.Exists(Path.Combine(p, command)));

    [GeneratedRegex(@"Requests/sec:\s+([0-9.]+)")]
    private static partial Regex Rps();
}
