using System.CommandLine;
using Crossfade.Agent;
using Crossfade.Agent.Hosting;
using Crossfade.Agent.Proxy;
using Crossfade.Cli;
using Crossfade.Server;
using Crossfade.Server.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Crossfade.Commands;

/// <summary>server, agent, proxy: the long-running processes.</summary>
public static class ProcessCommands
{
    public static Command Server()
    {
        var data = new Option<string>("--data") { DefaultValueFactory = _ => "./.crossfade", Description = "folder for the store, artifacts and admin token" };
        var urls = new Option<string>("--urls") { DefaultValueFactory = _ => "http://127.0.0.1:7400" };
        var maxUpload = new Option<long>("--max-upload-mb") { DefaultValueFactory = _ => 1024 };
        var maxUnpacked = new Option<long>("--max-release-mb") { DefaultValueFactory = _ => Core.Artifacts.ArchiveLimits.Default.MaxUnpackedBytes >> 20, Description = "the most a release may unpack to (hosts refuse larger ones)" };
        var maxEntries = new Option<int>("--max-release-entries") { DefaultValueFactory = _ => Core.Artifacts.ArchiveLimits.Default.MaxEntries, Description = "the most files, folders and links a release may hold" };
        var leaseExpiry = new Option<int>("--lease-expiry") { DefaultValueFactory = _ => 30, Description = "seconds a deploy's lease lasts without a heartbeat before another server process takes it over" };
        var instanceId = new Option<string?>("--instance-id") { Description = "this process as the owner of deploys (default machine:pid:nonce); for several server processes" };
        var publicUrl = new Option<string?>("--public-url") { Description = "the address people open the dashboard at, for links in chat notices (default: the first of --urls)" };
        var tlsCert = new Option<string?>("--tls-cert") { Description = "PEM certificate (with its chain) for https addresses; read again when the file changes (default: a self-signed one made in --data)" };
        var tlsKey = new Option<string?>("--tls-key") { Description = "PEM private key of --tls-cert" };
        var binaries = new Option<string?>("--binaries") { Description = "the folder of single-file binaries hosts are given (<rid>/crossfade, as ./build.sh writes artifacts/dist; default <data>/binaries)" };
        var insecureHttp = new Option<bool>("--insecure-http") { Description = "allow plain http on addresses other machines reach (tokens travel in clear text)" };
        var command = new Command("server", "run the control plane") { data, urls, maxUpload, maxUnpacked, maxEntries, leaseExpiry, instanceId, publicUrl, tlsCert, tlsKey, insecureHttp, binaries, ServerInstallCommand.Create() };
        command.SetAction(async (parse, ct) =>
        {
            var options = new ServerOptions
            {
                DataDir = parse.GetValue(data)!, Urls = parse.GetValue(urls)!, PublicUrl = parse.GetValue(publicUrl), MaxUploadBytes = parse.GetValue(maxUpload) * 1024 * 1024,
                Releases = new() { MaxUnpackedBytes = parse.GetValue(maxUnpacked) * 1024 * 1024, MaxEntries = parse.GetValue(maxEntries) },
                LeaseExpiry = TimeSpan.FromSeconds(parse.GetValue(leaseExpiry)),
                TlsCertPath = parse.GetValue(tlsCert), TlsKeyPath = parse.GetValue(tlsKey), InsecureHttp = parse.GetValue(insecureHttp),
                BinariesDir = parse.GetValue(binaries),
            };
            if (parse.GetValue(instanceId) is { Length: > 0 } id)
                options.InstanceId = id;
            // The store's SQLite calls hold their thread while they run; the pool starts with a thread per
            // core and adds more slowly, so on a small machine ingest batches and API reads would queue for
            // a thread. A floor of threads lets them overlap (the store orders what must not).
            ThreadPool.GetMinThreads(out var workers, out var io);
            ThreadPool.SetMinThreads(Math.Max(workers, 16), io);
            WebApplication app;
            try
            {
                app = await ServerHost.BuildAsync(options);
            }
            catch (ArgumentException ex)
            {
                await Console.Error.WriteLineAsync($"error: {ex.Message}");
                return 2;
            }
            await app.StartAsync(ct);
            Console.WriteLine($"crossfade server on {options.Urls}; data in {Path.GetFullPath(options.DataDir)}; admin token in {Path.GetFullPath(Path.Combine(options.DataDir, "admin.token"))}");
            if (app.Services.GetService<Crossfade.Server.Tls.ServerCertificates>() is { } tls)
                Console.WriteLine($"TLS key {tls.Pin} ({tls.Source}); tokens made here carry it, so agents and 'crossfade login' trust only this key");
            if (Crossfade.Server.Tls.ListenUrl.PlainBeyondLoopback(options.Urls) is { Count: > 0 } plain)
                await Console.Error.WriteLineAsync($"warning: --insecure-http: {string.Join(", ", plain)} carry tokens and secrets in clear text to anyone on the network between");
            await app.WaitForShutdownAsync(ct);
            return 0;
        });
        return command;
    }

    public static Command AgentCommand()
    {
        var server = new Option<string>("--server") { DefaultValueFactory = _ => Environment.GetEnvironmentVariable("CROSSFADE_SERVER") ?? "http://127.0.0.1:7400" };
        var name = new Option<string>("--name") { Required = true, Description = "this host's name" };
        var roles = new Option<string>("--roles") { DefaultValueFactory = _ => "web", Description = "comma-separated: web, worker, migrator, builder (takes builds of apps whose spec says build.runs_on: builder)" };
        var root = new Option<string>("--root") { DefaultValueFactory = _ => "./.crossfade-agent", Description = "where releases, shared files and state live" };
        var token = new Option<string?>("--token") { Description = "one-time enrollment token (first start only)" };
        var proxyPort = new Option<int?>("--proxy-port") { Description = "public port of this host's proxy (overrides the app's, for several hosts on one machine)" };
        var proxyTlsPort = new Option<int?>("--proxy-tls-port") { Description = "HTTPS port of this host's proxy when the app's spec asks for HTTPS (overrides the spec's)" };
        var shipBackoff = new Option<double>("--ship-backoff-max") { DefaultValueFactory = _ => new AgentOptions().ShipBackoffMax.TotalSeconds, Description = "seconds: the longest wait between tries to ship logs to a server that does not answer" };
        var fingerprint = new Option<string?>("--fingerprint") { Description = "the server's key pin (sha256:…) when the enrollment token does not carry it" };
        var tokenFile = new Option<string?>("--token-file") { Description = "a file holding the enrollment token (removed once enrolled)" };
        var binary = new Option<string?>("--binary") { Description = "the single-file binary this agent was installed as: replaced by the server's on 'crossfade host upgrade'" };
        var command = new Command("agent", "run the agent of one host") { server, name, roles, root, token, proxyPort, proxyTlsPort, shipBackoff, fingerprint, tokenFile, binary, StopServing() };
        command.SetAction(async (parse, ct) =>
        {
            var options = new AgentOptions
            {
                Server = parse.GetValue(server)!,
                Name = parse.GetValue(name)!,
                Roles = parse.GetValue(roles)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
                Root = parse.GetValue(root)!,
                Token = parse.GetValue(token),
                Fingerprint = parse.GetValue(fingerprint),
                TokenFile = parse.GetValue(tokenFile),
                Binary = parse.GetValue(binary),
                ProxyPort = parse.GetValue(proxyPort),
                ProxyTlsPort = parse.GetValue(proxyTlsPort),
                SelfCommand = SelfCommand.Get(),
                ShipBackoffMax = TimeSpan.FromSeconds(parse.GetValue(shipBackoff)),
            };
            using var logs = LoggerFactory.Create(b => b.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Information));
            try
            {
                await AgentHost.Build(options, logs).RunAsync(ct);
                return 0;
            }
            catch (Exception ex) when (ex is InvalidOperationException or ArgumentException)
            {
                await Console.Error.WriteLineAsync($"error: {ex.Message}");
                return 1;
            }
        });
        return command;
    }

    /// <summary><c>crossfade agent stop-serving</c>: run on a host taken out of service, after its agent was stopped.</summary>
    private static Command StopServing()
    {
        var root = new Option<string>("--root") { Required = true, Description = "the agent's --root" };
        var command = new Command("stop-serving", "stop the proxies and app instances the agent at --root started, and forget them (stop the agent first)") { root };
        command.SetAction(async (parse, ct) =>
        {
            var folder = parse.GetValue(root)!;
            if (!Directory.Exists(folder))
            {
                Console.WriteLine($"{folder} does not exist: nothing to stop");
                return 0;
            }
            var stopped = await AgentHost.StopEverythingAsync(folder, TimeProvider.System, forget: true);
            Console.WriteLine(stopped == 0 ? "nothing was serving" : $"stopped {stopped} process(es): proxies and app instances");
            return 0;
        });
        return command;
    }

    public static Command Proxy()
    {
        var port = new Option<int>("--port") { Required = true };
        var bind = new Option<string>("--bind") { DefaultValueFactory = _ => "127.0.0.1" };
        var control = new Option<int>("--control-port") { Required = true };
        var state = new Option<string?>("--state");
        var sites = new Option<string?>("--sites") { Description = "the file of named sites (several apps on this port by host name); without --state, a host no site names gets a 404" };
        var sitesRoot = new Option<string?>("--sites-root") { Description = "the agent's root: each named site's state and access log are its app's files there" };
        var accessLog = new Option<string?>("--access-log");
        var defaults = new ProxyOptions();
        var headTimeout = new Option<int>("--head-timeout") { DefaultValueFactory = _ => (int)defaults.HeadTimeout.TotalSeconds, Description = "seconds a request head may take to arrive whole" };
        var maxConnections = new Option<int>("--max-connections") { DefaultValueFactory = _ => defaults.MaxConnections, Description = "client connections open at once; more are refused" };
        var maxPerClient = new Option<int>("--max-connections-per-client") { DefaultValueFactory = _ => defaults.MaxConnectionsPerClient, Description = "client connections open at once from one address" };
        var tlsPort = new Option<int?>("--tls-port") { Description = "the public HTTPS port (with --cert)" };
        var certs = new Option<string[]>("--cert") { Description = "name[,name…]=cert.pem,key.pem: a certificate for these host names (repeat for more; the first is served to clients naming none)", AllowMultipleArgumentsPerToken = false };
        var redirect = new Option<bool>("--redirect-https") { Description = "answer plain requests with a redirect to HTTPS (ACME challenges excepted)" };
        var hsts = new Option<int?>("--hsts-max-age") { Description = "seconds: HTTPS answers carry Strict-Transport-Security with this max-age" };
        var command = new Command("proxy", "run a host proxy (started by the agent)") { port, bind, control, state, sites, sitesRoot, accessLog, headTimeout, maxConnections, maxPerClient, tlsPort, certs, redirect, hsts };
        command.SetAction(async (parse, ct) =>
        {
            WebApplication app;
            try
            {
                app = BuildProxy(parse, port, bind, control, state, (sites, sitesRoot), accessLog, headTimeout, maxConnections, maxPerClient, tlsPort, certs, redirect, hsts);
            }
            catch (ArgumentException ex)
            {
                await Console.Error.WriteLineAsync($"error: {ex.Message}");
                return 2;
            }
            await app.StartAsync(ct);
            await app.WaitForShutdownAsync(ct);
            return 0;
        });
        return command;
    }

    private static WebApplication BuildProxy(ParseResult parse, Option<int> port, Option<string> bind, Option<int> control, Option<string?> state, (Option<string?> File, Option<string?> Root) sites, Option<string?> accessLog,
        Option<int> headTimeout, Option<int> maxConnections, Option<int> maxPerClient, Option<int?> tlsPort, Option<string[]> certs, Option<bool> redirect, Option<int?> hsts) =>
            ProxyHost.Build(new ProxyOptions
            {
                Port = parse.GetValue(port),
                BindAddress = parse.GetValue(bind)!,
                ControlPort = parse.GetValue(control),
                StateFile = parse.GetValue(state),
                SitesFile = parse.GetValue(sites.File),
                SitesRoot = parse.GetValue(sites.Root),
                AccessLog = parse.GetValue(accessLog),
                HeadTimeout = TimeSpan.FromSeconds(parse.GetValue(headTimeout)),
                MaxConnections = parse.GetValue(maxConnections),
                MaxConnectionsPerClient = parse.GetValue(maxPerClient),
                TlsPort = parse.GetValue(tlsPort),
                Certificates = (parse.GetValue(certs) ?? []).Select(Crossfade.Agent.Proxy.Tls.CertificateFiles.Parse).ToList(),
                RedirectHttps = parse.GetValue(redirect),
                HstsMaxAge = parse.GetValue(hsts) is { } seconds ? TimeSpan.FromSeconds(seconds) : null,
            });
}
