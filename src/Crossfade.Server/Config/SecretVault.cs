using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;

namespace Crossfade.Server.Config;

/// <summary>
/// Encrypts and decrypts app secrets with ASP.NET Data Protection. The key ring lives in the server's
/// data folder (<c>keys/</c>, mode 0700); each app's secrets are bound to the app, so a ciphertext
/// copied to another app does not open.
/// </summary>
public sealed class SecretVault(IDataProtectionProvider provider)
{
    private readonly IDataProtector _root = provider.CreateProtector("Crossfade.Secrets.v1");

    public string Protect(string app, string value) => _root.CreateProtector(app).Protect(value);

    /// <returns>the value, or null when the ciphertext does not open (keys lost or replaced).</returns>
    public string? Unprotect(string app, string ciphertext)
    {
        try
        {
            return _root.CreateProtector(app).Unprotect(ciphertext);
        }
        catch (CryptographicException)
        {
            return null;
        }
    }
}
