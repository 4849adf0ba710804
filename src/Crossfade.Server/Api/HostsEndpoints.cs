using Crossfade.Contracts.V1;
using Crossfade.Server.Auth;
using Crossfade.Server.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Crossfade.Server.Api;

/// <summary>Enrolled hosts and tokens.</summary>
public static class HostsEndpoints
{
    private static readonly string[] TokenRoles = [Roles.Viewer, Roles.Deployer, Roles.Admin, "enroll"];

    public static void MapHostsAndTokens(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/api/v1/hosts", async (IStore store, TimeProvider time, ServerOptions options, CancellationToken ct) =>
            Results.Ok((await store.ListHostsAsync(ct)).Select(h =>
                new HostStatusView(h.Name, h.Roles, h.LastSeen is { } s && time.GetUtcNow() - s <= options.OfflineAfter, h.LastSeen, null))))
            .WithTags("Hosts").RequireRole(Roles.Viewer);

        routes.MapPost("/api/v1/tokens", async (HttpRequest request, IStore store, TimeProvider time, CancellationToken ct) =>
        {
            var (body, error) = await JsonBody.ReadAsync<CreateTokenRequest>(request, ct);
            if (body is null)
                return error!;
            if (!TokenRoles.Contains(body.Role))
                return Problems.BadRequest($"'role' must be one of: {string.Join(", ", TokenRoles)}");
            var secret = TokenSecrets.New(body.Role == "enroll" ? "cfe" : "cft");
            await store.AddTokenAsync(new TokenRecord(TokenSecrets.Hash(secret), body.Name ?? body.Role, body.Role, time.GetUtcNow()), ct);
            return Results.Ok(new CreateTokenResponse(body.Name ?? body.Role, body.Role, secret));
        }).WithTags("Tokens").RequireRole(Roles.Admin);
    }
}

/// <summary>Asks for a new token; 'enroll' tokens are one-time tokens for agents.</summary>
public sealed record CreateTokenRequest(string Role, string? Name = null);

/// <summary>A new token: its secret is shown once and stored only as a hash.</summary>
public sealed record CreateTokenResponse(string Name, string Role, string Token);
