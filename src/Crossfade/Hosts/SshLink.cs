using System.Diagnostics;
using System.Text;

namespace Crossfade.Hosts;

/// <summary>
/// Runs shell scripts on a host through the system's OpenSSH client: no password prompt (keys or an agent
/// only), a new host key accepted once and checked ever after, one connection shared by every step of a run.
/// Scripts run as root: directly when the login is root, else through <c>sudo -n</c>.
/// </summary>
public sealed class SshLink(SshTarget target, string? identity, string? knownHosts) : IDisposable
{
    private readonly string _control = Path.Combine(Path.GetTempPath(), $"cf-ssh-{Guid.NewGuid():N}"[..20]);
    private bool _sudo;

    public SshTarget Target => target;

    /// <summary>Whether scripts go through sudo (the login is not root).</summary>
    public void UseSudo(bool sudo) => _sudo = sudo;

    /// <summary>Runs <paramref name="script"/> with <c>sh</c> on the host, <paramref name="input"/> as its standard input.</summary>
    public async Task<(int Exit, string Out, string Err)> RunAsync(string script, Stream? input, CancellationToken ct)
    {
        var info = new ProcessStartInfo("ssh") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
        foreach (var argument in Arguments())
            info.ArgumentList.Add(argument);
        info.ArgumentList.Add((_sudo ? "sudo -n " : "") + "sh -c " + Quote(script));
        using var process = Process.Start(info) ?? throw new InvalidOperationException("cannot start ssh: install the OpenSSH client");
        var output = process.StandardOutput.ReadToEndAsync(ct);
        var error = process.StandardError.ReadToEndAsync(ct);
        if (input is not null)
            await input.CopyToAsync(process.StandardInput.BaseStream, ct);
        process.StandardInput.Close();
        try
        {
            await process.WaitForExitAsync(ct);
        }
        catch (OperationCanceledException)
        {
            // Called off: the ssh started for it goes too.
            process.Kill(entireProcessTree: true);
            throw;
        }
        return (process.ExitCode, await output, await error);
    }

    /// <summary>Runs a script that must succeed; its error output is the failure's reason.</summary>
    public async Task<string> MustAsync(string what, string script, CancellationToken ct, Stream? input = null)
    {
        var (exit, output, error) = await RunAsync(script, input, ct);
        if (exit == 255)
            throw new HostStepException($"ssh could not reach {target}: {error.Trim()}");
        if (exit != 0)
            throw new HostStepException($"{what} failed on {target} (exit {exit}): {(error.Trim().Length > 0 ? error.Trim() : output.Trim())}");
        return output;
    }

    private IEnumerable<string> Arguments()
    {
        yield return "-p";
        yield return target.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        foreach (var option in new[]
                 {
                     "BatchMode=yes", "ConnectTimeout=15", "StrictHostKeyChecking=accept-new", "ServerAliveInterval=15",
                     "ControlMaster=auto", $"ControlPath={_control}", "ControlPersist=60",
                 })
        {
            yield return "-o";
            yield return option;
        }
        if (knownHosts is not null)
        {
            yield return "-o";
            yield return $"UserKnownHostsFile={knownHosts}";
        }
        if (identity is not null)
        {
            yield return "-i";
            yield return identity;
            yield return "-o";
            yield return "IdentitiesOnly=yes";
        }
        yield return $"{target.User}@{target.Address}";
        yield return "--";
    }

    /// <summary>One argument for the remote shell, whatever it holds.</summary>
    public static string Quote(string text) => "'" + text.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    public void Dispose()
    {
        // Ends the shared connection now rather than when it idles out.
        try
        {
            var info = new ProcessStartInfo("ssh") { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
            foreach (var a in new[] { "-o", $"ControlPath={_control}", "-O", "exit", $"{target.User}@{target.Address}" })
                info.ArgumentList.Add(a);
            using var process = Process.Start(info);
            process?.WaitForExit(5000);
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // No ssh to ask: the master ends by itself after its idle time.
        }
    }
}

/// <summary>A step of adding, upgrading or removing a host could not be done: what, where, and the host's own words.</summary>
public sealed class HostStepException(string message) : Exception(message);
