using System.Globalization;
using Crossfade.Contracts.V1;
using Crossfade.Server.Auth;
using Crossfade.Server.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Crossfade.Server.Api;

/// <summary>
/// API tokens: created with their secret shown once, listed without it, revoked at once (every
/// request looks its token up, so a revoked one is refused from the next request on, agents' too).
/// </summary>
public static class TokensEndpoints
{
    private const int IdLength = 12;
    private const int MinIdLength = 8;
    private static readonly string[] TokenRoles = [Roles.Viewer, Roles.Deployer, Roles.Admin, "enroll"];

    public static void MapTokens(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/v1/tokens").WithTags("Tokens");
        group.MapPost("", CreateAsync).RequireRole(Roles.Admin);
        group.MapGet("", async (IStore store, CancellationToken ct) =>
            Results.Ok((await store.ListTokensAsync(ct)).Select(t => new TokenInfoView(t.Hash[..IdLength], t.Name, t.Role, t.CreatedAt))))
            .RequireRole(Roles.Admin);
        group.MapDelete("/{id}", RevokeAsync).RequireRole(Roles.Admin);
    }

    private static async Task<IResult> CreateAsync(HttpRequest request, IStore store, TimeProvider time, CancellationToken ct)
    {
        var (body, error) = await JsonBody.ReadAsync<CreateTokenRequest>(request, ct);
        if (body is null)
            return error!;
        if (!TokenRoles.Contains(body.Role))
            return Problems.BadRequest($"'role' must be one of: {string.Join(", ", TokenRoles)}");
        var secret = TokenSecrets.New(body.Role == "enroll" ? "cfe" : "cft");
        await store.AddTokenAsync(new TokenRecord(TokenSecrets.Hash(secret), body.Name ?? body.Role, body.Role, time.GetUtcNow()), ct);
        return Results.Ok(new CreateTokenResponse(body.Name ?? body.Role, body.Role, secret));
    }

    /// <summary>Revokes the one token whose id starts with <paramref name="id"/>; never the last admin token.</summary>
    private static async Task<IResult> RevokeAsync(string id, IStore store, CancellationToken ct)
    {
        if (id.Length < MinIdLength || !id.All(char.IsAsciiHexDigitLower))
            return Problems.BadRequest($"a token id is at least {MinIdLength} lower-case hex digits, as 'crossfade token list' shows it; not '{id}'");
        var tokens = await store.ListTokensAsync(ct);
        var matching = tokens.Where(t => t.Hash.StartsWith(id, StringComparison.Ordinal)).ToList();
        if (matching.Count == 0)
            return Problems.NotFound($"no token with id '{id}'");
        if (matching.Count > 1)
            return Problems.Conflict($"{matching.Count.ToString(CultureInfo.InvariantCulture)} tokens have ids starting '{id}'; give more of it");
        var token = matching[0];
        if (token.Role == Roles.Admin && tokens.Count(t => t.Role == Roles.Admin) == 1)
            return Problems.Conflict($"'{token.Name}' is the last admin token; create another admin token before revoking it");
        await store.DeleteTokenAsync(token.Hash, ct);
        return Results.NoContent();
    }
}

/// <summary>Asks for a new token; 'enroll' tokens are one-time tokens for agents.</summary>
public sealed record CreateTokenRequest(string Role, string? Name = null);

/// <summary>A new token: its secret is shown once and stored only as a hash.</summary>
public sealed record CreateTokenResponse(string Name, string Role, string Token);
