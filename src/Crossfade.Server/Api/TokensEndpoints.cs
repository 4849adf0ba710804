using Crossfade.Server.Audit;
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
            Results.Ok((await store.ListTokensAsync(ct)).Select(t => new TokenInfoView(IdOf(t), t.Name, t.Role, t.CreatedAt))))
            .RequireRole(Roles.Admin);
        group.MapDelete("/{id}", RevokeAsync).RequireRole(Roles.Admin);
    }

    private static async Task<IResult> CreateAsync(HttpRequest request, IStore store, TimeProvider time, CancellationToken ct)
    {
        var (body, error) = await JsonBody.ReadAsync<CreateTokenRequest>(request, ct);
        if (body is null)
            return error!;
        request.HttpContext.Audit().Add("role", body.Role).Add("name", body.Name);
        var (created, problem) = await CreateTokenAsync(store, time, body.Role, body.Name, Tls.ServerCertificates.PinOf(request.HttpContext.RequestServices), ct);
        return created is not null ? Results.Ok(created) : Problems.BadRequest(problem!);
    }

    /// <summary>
    /// Creates a token of a role (the API and the dashboard's admin page both come here); its secret is in the
    /// answer only, joined with the server's key pin when it serves HTTPS, so its user knows which server to trust.
    /// </summary>
    public static async Task<(CreateTokenResponse? Created, string? Problem)> CreateTokenAsync(IStore store, TimeProvider time, string role, string? name, string? pin, CancellationToken ct)
    {
        if (!TokenRoles.Contains(role))
            return (null, $"'role' must be one of: {string.Join(", ", TokenRoles)}");
        if (name is { Length: > 100 })
            return (null, $"'name' is {name.Length} characters; at most 100");
        var secret = TokenSecrets.New(role == "enroll" ? "cfe" : "cft");
        var label = string.IsNullOrWhiteSpace(name) ? role : name.Trim();
        await store.AddTokenAsync(new TokenRecord(TokenSecrets.Hash(secret), label, role, time.GetUtcNow()), ct);
        return (new CreateTokenResponse(label, role, Core.Links.JoinToken.Join(secret, pin), pin), null);
    }

    /// <summary>The id a token is listed under: the start of its hash.</summary>
    public static string IdOf(TokenRecord token) => token.Hash[..IdLength];

    /// <summary>Revokes the one token whose id starts with <paramref name="id"/>; never the last admin token.</summary>
    private static async Task<IResult> RevokeAsync(string id, IStore store, CancellationToken ct) =>
        await RevokeTokenAsync(store, id, ct) switch
        {
            (204, _) => Results.NoContent(),
            (400, var problem) => Problems.BadRequest(problem!),
            (404, var problem) => Problems.NotFound(problem!),
            (_, var problem) => Problems.Conflict(problem!),
        };

    /// <summary>Revokes a token by id (the API and the dashboard's admin page both come here): 204, or a status and why not.</summary>
    public static async Task<(int Status, string? Problem)> RevokeTokenAsync(IStore store, string id, CancellationToken ct)
    {
        if (id.Length < MinIdLength || !id.All(char.IsAsciiHexDigitLower))
            return (400, $"a token id is at least {MinIdLength} lower-case hex digits, as 'crossfade token list' shows it; not '{id}'");
        var tokens = await store.ListTokensAsync(ct);
        var matching = tokens.Where(t => t.Hash.StartsWith(id, StringComparison.Ordinal)).ToList();
        if (matching.Count == 0)
            return (404, $"no token with id '{id}'");
        if (matching.Count > 1)
            return (409, $"{matching.Count.ToString(CultureInfo.InvariantCulture)} tokens have ids starting '{id}'; give more of it");
        var token = matching[0];
        if (token.Role == Roles.Admin && tokens.Count(t => t.Role == Roles.Admin) == 1)
            return (409, $"'{token.Name}' is the last admin token; create another admin token before revoking it");
        await store.DeleteTokenAsync(token.Hash, ct);
        return (204, null);
    }
}

/// <summary>Asks for a new token; 'enroll' tokens are one-time tokens for agents.</summary>
public sealed record CreateTokenRequest(string Role, string? Name = null);

/// <summary>
/// A new token: its secret is shown once and stored only as a hash. Over HTTPS the token carries the server's
/// key pin after a dot (<see cref="Fingerprint"/>), and whoever uses it trusts only that key.
/// </summary>
public sealed record CreateTokenResponse(string Name, string Role, string Token, string? Fingerprint = null);
