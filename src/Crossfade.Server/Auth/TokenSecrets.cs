using System.Security.Cryptography;
using System.Text;

namespace Crossfade.Server.Auth;

/// <summary>Makes token secrets and the hashes under which they are stored.</summary>
public static class TokenSecrets
{
    public static string New(string prefix) =>
        prefix + "_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));

    public static string Hash(string secret) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));
}
