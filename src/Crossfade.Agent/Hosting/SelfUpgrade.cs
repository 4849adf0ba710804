using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace Crossfade.Agent.Hosting;

/// <summary>
/// The agent's own binary: its hash (reported on every poll) and its replacement by the server's when asked.
/// The new file is downloaded beside the old, checked against the hash the server named, and renamed over
/// it in one step; the agent then stops, and its service starts the new binary. The proxy and the instances
/// run in processes of their own and go on serving meanwhile.
/// </summary>
public sealed class SelfUpgrade(string? binary, TimeProvider time)
{
    /// <summary>How long a binary that could not be taken is not tried again (each try downloads it whole).</summary>
    private static readonly TimeSpan RetryAfter = TimeSpan.FromMinutes(5);

    private readonly string? _sha256 = binary is not null && File.Exists(binary) ? Hash(binary) : null;
    private (string Sha256, DateTimeOffset At)? _failed;

    public static string Rid => RuntimeInformation.RuntimeIdentifier;

    /// <summary>The SHA-256 of the binary this agent was installed as; null when it was not installed as one.</summary>
    public string? Sha256 => _sha256;

    /// <summary>Whether the server's ask names a binary other than this one (and there is one to replace).</summary>
    public bool Wanted(string? upgradeTo) =>
        binary is not null && _sha256 is not null && upgradeTo is not null && upgradeTo != _sha256
        && !(_failed is { } failed && failed.Sha256 == upgradeTo && time.GetUtcNow() - failed.At < RetryAfter);

    /// <summary>Replaces the binary with the server's of <paramref name="sha256"/>; why not, when it could not.</summary>
    public async Task<string?> TakeAsync(ServerClient server, string sha256, CancellationToken ct)
    {
        var failure = await ReplaceAsync(server, sha256, ct);
        _failed = failure is null ? null : (sha256, time.GetUtcNow());
        return failure;
    }

    private async Task<string?> ReplaceAsync(ServerClient server, string sha256, CancellationToken ct)
    {
        var next = binary + ".new";
        try
        {
            await server.DownloadBinaryAsync(Rid, next, ct);
            var got = Hash(next);
            if (got != sha256)
                return $"the binary downloaded has SHA-256 {got}, not the {sha256} the server named: kept the one running";
            File.SetUnixFileMode(next, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
                | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
            File.Move(next, binary!, overwrite: true);
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or HttpRequestException)
        {
            return $"could not replace {binary}: {e.Message}";
        }
        finally
        {
            if (File.Exists(next))
                File.Delete(next);
        }
    }

    private static string Hash(string path)
    {
        using var file = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(file));
    }
}
