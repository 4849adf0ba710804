using System.Security.Cryptography;
using Crossfade.Server.Config;
using Crossfade.Server.Storage;

namespace Crossfade.Server.Hooks;

/// <summary>
/// Each app's webhook secret: made here (32 random bytes, in the Standard Webhooks form "whsec_…"),
/// kept encrypted, shown once. GitHub signs with it, GitLab sends it as its token, any other CI signs the
/// Standard Webhooks way with it.
/// </summary>
public sealed class HookSecrets(IStore store, SecretVault vault, TimeProvider time)
{
    private const string Purpose = "webhook";

    public async Task<string> RotateAsync(string app, string by, CancellationToken ct)
    {
        var secret = "whsec_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        await store.SetHookSecretAsync(app, vault.Protect(Purpose + ":" + app, secret), by, time.GetUtcNow(), ct);
        return secret;
    }

    /// <summary>The app's secret, or null when it has none (or its ciphertext no longer opens).</summary>
    public async Task<string?> GetAsync(string app, CancellationToken ct) =>
        await store.GetHookSecretAsync(app, ct) is { } ciphertext ? vault.Unprotect(Purpose + ":" + app, ciphertext) : null;
}
