using Crossfade.Server.Storage;

namespace Crossfade.Server.Config;

/// <summary>Which stored value of an app's secret an environment uses: its own, else the one every environment shares.</summary>
public static class SecretChoice
{
    /// <returns>secret name → ciphertext, for the names <paramref name="wanted"/> accepts.</returns>
    public static Dictionary<string, string> For(IEnumerable<SecretRecord> secrets, string environment, Func<string, bool> wanted) =>
        secrets.Where(s => wanted(s.Name) && (s.Environment == environment || s.Environment.Length == 0))
            .OrderBy(s => s.Environment.Length)
            .GroupBy(s => s.Name)
            .ToDictionary(g => g.Key, g => g.Last().Ciphertext, StringComparer.Ordinal);

    /// <summary>One app secret's value for an environment (its own, else the shared one); null when it is not set or no longer opens.</summary>
    public static async Task<string?> ValueAsync(IStore store, SecretVault vault, string app, string environment, string name, CancellationToken ct) =>
        For(await store.ListSecretsAsync(app, ct), environment, n => n == name).TryGetValue(name, out var ciphertext) ? vault.Unprotect(app, ciphertext) : null;
}
