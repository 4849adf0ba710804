using System.Globalization;
using Crossfade.Contracts.V1;
using Crossfade.Server.Auth;
using Crossfade.Server.Storage;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http;

namespace Crossfade.Server.Dashboard.Sessions;

/// <summary>
/// The dashboard's sign-in: a token typed once becomes an HttpOnly, SameSite=Strict cookie that names
/// the token (by its hash, encrypted and signed with the server's data-protection keys) and when the
/// session ends. Every request looks the token up again, so revoking a token ends its sessions at once.
/// </summary>
public sealed class DashboardSessions(IDataProtectionProvider protection, IStore store, TimeProvider time)
{
    public const string CookieName = "crossfade_session";
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(12);
    private static readonly string[] PeopleRoles = [Roles.Viewer, Roles.Deployer, Roles.Admin];
    private readonly IDataProtector _protector = protection.CreateProtector("crossfade.dashboard.session.v1");

    /// <summary>Whether a token of this role may sign in to the dashboard (agents' and enrollment tokens may not).</summary>
    public static bool MaySignIn(string role) => PeopleRoles.Contains(role);

    public void Start(HttpContext context, TokenRecord token)
    {
        var ends = time.GetUtcNow() + Lifetime;
        var value = _protector.Protect(token.Hash + "|" + ends.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture));
        context.Response.Cookies.Append(CookieName, value, Options(context, ends));
    }

    public static void End(HttpContext context) =>
        context.Response.Cookies.Delete(CookieName, Options(context, DateTimeOffset.UnixEpoch));

    /// <summary>The person a session cookie names, or null: no cookie, forged, expired, or its token revoked.</summary>
    public async Task<Caller?> ReadAsync(HttpContext context)
    {
        if (!context.Request.Cookies.TryGetValue(CookieName, out var value) || string.IsNullOrEmpty(value))
            return null;
        string plain;
        try
        {
            plain = _protector.Unprotect(value);
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            return null;
        }
        var parts = plain.Split('|');
        if (parts.Length != 2 || !long.TryParse(parts[1], CultureInfo.InvariantCulture, out var ends)
            || DateTimeOffset.FromUnixTimeSeconds(ends) <= time.GetUtcNow())
            return null;
        var token = await store.FindTokenAsync(parts[0], context.RequestAborted);
        return token is not null && MaySignIn(token.Role) ? new Caller(token.Name, token.Role, Api.TokensEndpoints.IdOf(token)) : null;
    }

    private static CookieOptions Options(HttpContext context, DateTimeOffset expires) => new()
    {
        HttpOnly = true,
        SameSite = SameSiteMode.Strict,
        Secure = context.Request.IsHttps,
        Path = "/",
        Expires = expires,
        IsEssential = true,
    };
}
