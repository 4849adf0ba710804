using Crossfade.Server.Dashboard.Sessions;
using Crossfade.Server.Storage;
using Microsoft.AspNetCore.Http;

namespace Crossfade.Server.Auth;

/// <summary>
/// Resolves who makes a request into a <see cref="Caller"/>, or none: a bearer token on any path, or the
/// dashboard's session cookie on the dashboard's paths only — never on the API, so a page another site
/// opens cannot call the API with someone's cookie.
/// </summary>
public sealed class TokenAuthentication(RequestDelegate next)
{
    public async Task InvokeAsync(HttpContext context, IStore store, DashboardSessions sessions)
    {
        var header = context.Request.Headers.Authorization.ToString();
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            var token = await store.FindTokenAsync(TokenSecrets.Hash(Core.Links.JoinToken.Split(header["Bearer ".Length..]).Secret), context.RequestAborted);
            if (token is not null)
                context.Features.Set(new Caller(token.Name, token.Role, Api.TokensEndpoints.IdOf(token)));
        }
        else if (!context.Request.Path.StartsWithSegments("/api") && !context.Request.Path.StartsWithSegments("/assets")
                 && await sessions.ReadAsync(context) is { } person)
        {
            context.Features.Set(person);
        }
        await next(context);
    }
}
