using System.CommandLine;
using Crossfade.Cli;
using Crossfade.Core.Naming;
using Crossfade.Install;

namespace Crossfade.Commands;

/// <summary><c>crossfade server install</c>: the server as a systemd service on this machine, with its data folder and options.</summary>
public static class ServerInstallCommand
{
    public static Command Create()
    {
        var data = new Option<string>("--data") { DefaultValueFactory = _ => "/var/lib/crossfade-server", Description = "the server's data folder (store, artifacts, TLS key, admin token)" };
        var urls = new Option<string>("--urls") { DefaultValueFactory = _ => "https://0.0.0.0:7400", Description = "where the server listens (https: hosts and people reach it over the network)" };
        var tlsCert = new Option<string?>("--tls-cert") { Description = "PEM certificate (default: a self-signed one made in --data)" };
        var tlsKey = new Option<string?>("--tls-key") { Description = "PEM private key of --tls-cert" };
        var binaries = new Option<string?>("--binaries") { Description = "the folder of single-file binaries hosts are given (default <data>/binaries)" };
        var publicUrl = new Option<string?>("--public-url") { Description = "the address people open the dashboard at, for links in chat notices" };
        var user = new Option<string>("--user") { DefaultValueFactory = _ => "crossfade", Description = "the system user the server runs as (created when missing)" };
        var unitDir = new Option<string>("--unit-dir") { DefaultValueFactory = _ => "/etc/systemd/system", Description = "where the unit file goes" };
        var noStart = new Option<bool>("--no-start") { Description = "write the unit, but do not enable or start it" };
        var command = new Command("install", "install the server as a systemd service: its user, data folder and unit, enabled and started")
        {
            data, urls, tlsCert, tlsKey, binaries, publicUrl, user, unitDir, noStart,
        };
        command.SetAction(async (parse, ct) =>
        {
            try
            {
                var account = parse.GetValue(user)!;
                if (!FolderNames.IsName(account))
                    throw new ArgumentException($"--user '{account}' is not a user name");
                if ((parse.GetValue(tlsCert) is null) != (parse.GetValue(tlsKey) is null))
                    throw new ArgumentException("--tls-cert and --tls-key go together");
                foreach (var file in new[] { parse.GetValue(tlsCert), parse.GetValue(tlsKey) }.OfType<string>())
                    if (!File.Exists(file))
                        throw new ArgumentException($"{file} does not exist");
                var service = new ServerService(SelfCommand.Get(), account, Path.GetFullPath(parse.GetValue(data)!), parse.GetValue(urls)!,
                    Full(parse.GetValue(tlsCert)), Full(parse.GetValue(tlsKey)), Full(parse.GetValue(binaries)), parse.GetValue(publicUrl), Path.GetFullPath(parse.GetValue(unitDir)!));
                // Checked before anything is written: a listen address the server would refuse stops the install.
                if (Server.Tls.ListenUrl.SchemeOf(service.Urls) is not ("http" or "https") || Server.Tls.ListenUrl.HostOf(service.Urls) is not { Length: > 0 })
                    throw new ArgumentException($"--urls '{service.Urls}' must be one address such as https://0.0.0.0:7400");
                if (Server.Tls.ListenUrl.PlainBeyondLoopback(service.Urls).Count > 0)
                    throw new ArgumentException($"--urls '{service.Urls}' is plain http beyond this machine: tokens would cross the network in clear text; use https");
                service.ExecStart();
                Console.WriteLine($"installing the server as {ServerService.UnitName} ({service.Urls}, data in {service.DataDir})");
                var changed = await new ServerInstaller(service, !parse.GetValue(noStart), Console.Out, TimeProvider.System).RunAsync(ct);
                Console.WriteLine(changed == 0 ? "nothing to change" : $"{changed} change(s) made");
                return 0;
            }
            catch (Exception ex) when (ex is ArgumentException or InvalidOperationException)
            {
                await Console.Error.WriteLineAsync($"error: {ex.Message}");
                return 2;
            }
        });
        return command;
    }

    private static string? Full(string? path) => path is null ? null : Path.GetFullPath(path);
}
