using System.Diagnostics;
using System.Text.RegularExpressions;
using Crossfade.Agent.Instances;

namespace Crossfade.IntegrationTests.Hosts;

/// <summary>A real <c>crossfade server</c> process serving HTTPS on loopback with the certificate it makes; stopped by its pid.</summary>
public sealed partial class ServerProcess : IAsyncDisposable
{
    private readonly Process _process;

    private ServerProcess(Process process, string data, int port, string pin) => (_process, DataDir, Port, Pin) = (process, data, port, pin);

    public string DataDir { get; }
    public int Port { get; }
    public string Pin { get; }
    public string Url => $"https://127.0.0.1:{Port}";
    public string AdminToken => File.ReadAllText(Path.Combine(DataDir, "admin.token")).Trim();

    public static async Task<ServerProcess> StartAsync(params string[] extra)
    {
        var data = Directory.CreateTempSubdirectory("cf-it-server-").FullName;
        var port = FreePorts.Next();
        var self = Crossfade.Cli.SelfCommand.Get();
        var info = new ProcessStartInfo(self[0]) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in self.Skip(1).Concat(["server", "--data", data, "--urls", $"https://127.0.0.1:{port}"]).Concat(extra))
            info.ArgumentList.Add(a);
        var process = Process.Start(info)!;
        process.ErrorDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var pin = "";
        while (await process.StandardOutput.ReadLineAsync(limit.Token) is { } line)
        {
            if (PinLine().Match(line) is { Success: true } found)
            {
                pin = found.Groups[1].Value;
                break;
            }
        }
        pin.ShouldNotBeEmpty("the server says its key once it listens");
        // Read on, so a full pipe never holds the server up.
        _ = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        return new ServerProcess(process, data, port, pin);
    }

    /// <summary>A client of the API as its admin, trusting the server's key.</summary>
    public Cli.ApiClient Admin() => new(Url, AdminToken, pin: Pin);

    public async ValueTask DisposeAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        _process.Dispose();
        Directory.Delete(DataDir, recursive: true);
    }

    [GeneratedRegex(@"^TLS key (sha256:[0-9a-f]{64}) ")]
    private static partial Regex PinLine();
}
