using Crossfade.Contracts.V1;
using Crossfade.Server.Storage;

namespace Crossfade.Server.Auth;

/// <summary>
/// On a new data folder, creates the first admin token and writes it to <c>admin.token</c> (mode 600),
/// as Vault and Nomad bootstrap their first management token.
/// </summary>
public static class Bootstrap
{
    public static async Task<string> EnsureAdminTokenAsync(IStore store, string dataDir, TimeProvider time)
    {
        var path = Path.Combine(dataDir, "admin.token");
        if (File.Exists(path))
        {
            var existing = (await File.ReadAllTextAsync(path)).Trim();
            if (await store.FindTokenAsync(TokenSecrets.Hash(existing), CancellationToken.None) is not null)
                return existing;
        }
        var secret = TokenSecrets.New("cfa");
        await store.AddTokenAsync(new TokenRecord(TokenSecrets.Hash(secret), "admin", Roles.Admin, time.GetUtcNow()), CancellationToken.None);
        await File.WriteAllTextAsync(path, secret + "\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return secret;
    }
}
