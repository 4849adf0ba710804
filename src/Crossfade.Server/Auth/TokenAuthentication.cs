using Crossfade.Server.Storage;
using Microsoft.AspNetCore.Http;

namespace Crossfade.Server.Auth;

/// <summary>Resolves the bearer token of a request into a <see cref="Caller"/>, or none.</summary>
public sealed class TokenAuthentication(RequestDelegate next)
{
    public async Task InvokeAsync(HttpContext context, IStore store)
    {
        var header = context.Request.Headers.Authorization.ToString();
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            var token = await store.FindTokenAsync(TokenSecrets.Hash(header["Bearer ".Length..].Trim()), context.RequestAborted);
            if (token is not null)
                context.Features.Set(new Caller(token.Name, token.Role));
        }
        await next(context);
    }
}
