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
/// Requests/s of gear-shop's /listings and /version hit directly, through a crossfade proxy process, and
/// through nginx (when installed), with wrk, 32 keep-alive connections, interleaved rounds; medians of
/// each round's ratios compared, and each proxy's CPU per request. Then the same over HTTPS: both proxies
/// terminate TLS with the same certificate (ECDSA P-256) and settle on the same cipher (printed), and the
/// ratio of their requests/s is the summary's <c>tls_ratio_nginx</c>.
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
        var (proxyTlsPort, nginxTlsPort) = (FreePorts.Next(), 0);
        var (cert, key) = BenchCertificate.Write(dir);
        var proxy = Processes.Start($"{self} proxy --port {proxyPort} --control-port {controlPort} --access-log {Processes.Quote(Path.Combine(dir, "access.log"))}"
            + $" --tls-port {proxyTlsPort} --cert {Processes.Quote($"{BenchCertificate.Name}={cert},{key}")}", dir, ProxyKeeper.ProcessEnvironment, Path.Combine(dir, "proxy.log"));
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
                (nginxPort, nginxTlsPort) = (FreePorts.Next(), FreePorts.Next());
                nginx = StartNginx(nginxBinary, dir, nginxPort, nginxTlsPort, appPort, cert, key);
                await WaitAsync($"http://127.0.0.1:{nginxPort}/version");
            }
            // Unmeasured warm-up, the same for every target: the .NET processes reach tier-1 code only after
            // tens of thousands of requests, which an 8 s round on 2 busy cores does not give them.
            foreach (var port in new[] { appPort, proxyPort, nginxPort }.Where(p => p != 0))
                await WrkAsync(port, seconds: 20);
            foreach (var port in new[] { proxyTlsPort, nginxTlsPort }.Where(p => p != 0))
                await WrkAsync(port, seconds: 20, https: true);
            // A representative page first (a SQLite read rendered as JSON), then the trivial worst case
            // (/version), whose figures make the summary line.
            var targets = new Targets(appPort, proxyPort, proxy.Pid, nginxPort, nginx?.Pid ?? 0);
            await RoundsAsync("/listings", rounds, targets);
            var figures = await RoundsAsync("/version", rounds, targets);
            // Over HTTPS: the app is reached the same way (plain, on loopback); only the client side is TLS.
            Console.WriteLine($"TLS: crossfade negotiates {await BenchCertificate.CipherAsync(proxyTlsPort)}"
                + (nginxTlsPort == 0 ? "" : $", nginx {await BenchCertificate.CipherAsync(nginxTlsPort)}"));
            var tls = await RoundsAsync("/version", rounds, targets with { ProxyPort = proxyTlsPort, NginxPort = nginxTlsPort, Https = true });
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"proxy-overhead: direct_rps={figures.Direct:0} crossfade_rps={figures.Crossfade:0} nginx_rps={Na(figures.Nginx, "0")} ratio_direct={figures.RatioDirect:0.00} ratio_nginx={Na(figures.RatioNginx, "0.00")} tls_crossfade_rps={tls.Crossfade:0} tls_nginx_rps={Na(tls.Nginx, "0")} tls_ratio_nginx={Na(tls.RatioNginx, "0.00")}"));
            return 0;
        }
        finally
        {
            await Processes.StopAsync(proxy, TimeSpan.FromSeconds(5), TimeProvider.System);
            await Processes.StopAsync(app, TimeSpan.FromSeconds(5), TimeProvider.System);
            await Processes.StopAsync(nginx, TimeSpan.FromSeconds(5), TimeProvider.System);
        }
    }

    /// <summary>
    /// Interleaved rounds: direct, then through crossfade, then through nginx, back to back. The
    /// ratios are the medians of each round's own ratios (the three runs of a round share the
    /// machine's mood, which on a shared 2-core machine swings by ±15% between rounds); the
    /// requests/s are medians too. Each proxy's CPU per request is measured from its processes' times.
    /// </summary>
    private static async Task<Figures> RoundsAsync(string path, int rounds, Targets targets)
    {
        var direct = new List<double>();
        var crossfade = new List<Run>();
        var nginx = new List<Run>();
        for (var round = 1; round <= rounds; round++)
        {
            direct.Add((await WrkAsync(targets.AppPort, path: path)).Rps);
            crossfade.Add(await WrkAsync(targets.ProxyPort, path: path, session: targets.ProxyPid, https: targets.Https));
            if (targets.NginxPort != 0)
                nginx.Add(await WrkAsync(targets.NginxPort, path: path, session: targets.NginxPid, https: targets.Https));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{(targets.Https ? "https " : "")}{path} round {round}: direct {direct[^1]:0} rps, crossfade {crossfade[^1].Rps:0} rps ({crossfade[^1].CpuUs:0.0} µs CPU/request)")
                + (targets.NginxPort == 0 ? "" : string.Create(CultureInfo.InvariantCulture, $", nginx {nginx[^1].Rps:0} rps ({nginx[^1].CpuUs:0.0} µs CPU/request)")));
        }
        var figures = new Figures(
            Median(direct), Median(crossfade.Select(r => r.Rps)), nginx.Count == 0 ? null : Median(nginx.Select(r => r.Rps)),
            Median(crossfade.Select((r, i) => r.Rps / direct[i])), nginx.Count == 0 ? null : Median(crossfade.Select((r, i) => r.Rps / nginx[i].Rps)));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{(targets.Https ? "https " : "")}{path}: direct {figures.Direct:0} rps, crossfade {figures.Crossfade:0} rps ({figures.RatioDirect:0.00}x direct), CPU {Median(crossfade.Select(r => r.CpuUs)):0.0} µs/request")
            + (figures.Nginx is { } n ? string.Create(CultureInfo.InvariantCulture,
                $"; nginx {n:0} rps ({Median(nginx.Select((r, i) => r.Rps / direct[i])):0.00}x direct), CPU {Median(nginx.Select(r => r.CpuUs)):0.0} µs/request; crossfade/nginx {figures.RatioNginx:0.00}x") : "; nginx na"));
        return figures;
    }

    private sealed record Targets(int AppPort, int ProxyPort, int ProxyPid, int NginxPort, int NginxPid, bool Https = false);

    private static string Na(double? value, string format) => value is { } v ? v.ToString(format, CultureInfo.InvariantCulture) : "na";

    private sealed record Figures(double Direct, double Crossfade, double? Nginx, double RatioDirect, double? RatioNginx);

    private readonly record struct Run(double Rps, double CpuUs);

    private static ProcessRef StartNginx(string binary, string dir, int port, int tlsPort, int appPort, string cert, string key)
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
              ssl_certificate {{cert}};
              ssl_certificate_key {{key}};
              ssl_protocols TLSv1.2 TLSv1.3;
              ssl_session_cache shared:SSL:10m;
              server {
                listen 127.0.0.1:{{port}};
                listen 127.0.0.1:{{tlsPort}} ssl;
                location / {
                  proxy_pass http://app;
                  proxy_http_version 1.1;
                  proxy_set_header Connection "";
                  proxy_set_header Host $host;
                  proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
                  proxy_set_header X-Forwarded-Proto $scheme;
                  proxy_set_header X-Forwarded-Host $host;
                }
              }
            }
            """);
        return Processes.Start($"{Processes.Quote(binary)} -c {Processes.Quote(conf)} -p {Processes.Quote(Path.Combine(dir, "nginx"))}", dir, new Dictionary<string, string>(), Path.Combine(dir, "nginx", "logs", "stdout.log"));
    }

    private static async Task<Run> WrkAsync(int port, int seconds = 8, string path = "/version", int session = 0, bool https = false)
    {
        var info = new ProcessStartInfo("wrk") { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in new[] { "-t2", "-c32", $"-d{seconds}s", $"{(https ? "https" : "http")}://127.0.0.1:{port}{path}" })
            info.ArgumentList.Add(a);
        var cpuBefore = session == 0 ? TimeSpan.Zero : SessionCpu.Of(session);
        using var wrk = Process.Start(info)!;
        var output = await wrk.StandardOutput.ReadToEndAsync();
        await wrk.WaitForExitAsync();
        var cpu = session == 0 ? TimeSpan.Zero : SessionCpu.Of(session) - cpuBefore;
        var rps = Rps().Match(output);
        var requests = Requests().Match(output);
        if (!rps.Success || !requests.Success || output.Contains("Non-2xx", StringComparison.Ordinal) || output.Contains("Socket errors", StringComparison.Ordinal))
            throw new InvalidOperationException($"wrk on :{port} did not run cleanly:\n{output}");
        return new Run(double.Parse(rps.Groups[1].Value, CultureInfo.InvariantCulture),
            cpu.TotalMicroseconds / long.Parse(requests.Groups[1].Value, CultureInfo.InvariantCulture));
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

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }

    private static bool Exists(string command) =>
        Environment.GetEnvironmentVariable("PATH")!.Split(':').Any(p => File.Exists(Path.Combine(p, command)));

    [GeneratedRegex(@"Requests/sec:\s+([0-9.]+)")]
    private static partial Regex Rps();

    [GeneratedRegex(@"([0-9]+) requests in")]
    private static partial Regex Requests();
}
