using Crossfade.Contracts.V1;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Crossfade.Server.Auth;

/// <summary>Endpoint filters that admit only callers with the right role.</summary>
public static class RoleFilters
{
    public static TBuilder RequireRole<TBuilder>(this TBuilder builder, string role) where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter(async (context, next) =>
        {
            var caller = context.HttpContext.Features.Get<Caller>();
            if (caller is null)
                return Results.Problem(title: "Unauthorized", detail: "send a valid token in 'Authorization: Bearer <token>'", statusCode: 401);
            var allowed = role == Roles.Agent ? caller.Role == Roles.Agent : caller.AtLeast(role);
            if (!allowed)
                return Results.Problem(title: "Forbidden", detail: $"this call needs the '{role}' role; the token of '{caller.Name}' has '{caller.Role}'", statusCode: 403);
            return await next(context);
        });

    public static Caller Caller(this HttpContext context) =>
        context.Features.Get<Caller>() ?? throw new InvalidOperationException("endpoint reached without a caller");
}
