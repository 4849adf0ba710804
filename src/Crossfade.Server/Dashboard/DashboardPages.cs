using Crossfade.Server.Auth;
using Crossfade.Server.Dashboard.Pages;
using Crossfade.Server.Dashboard.Views;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.DependencyInjection;

namespace Crossfade.Server.Dashboard;

/// <summary>
/// How dashboard endpoints are guarded and answered: pages need a signed-in person of the role (else
/// the sign-in page, or a 403 page); actions take the API's own role filter, then the antiforgery check.
/// </summary>
public static class DashboardPages
{
    /// <summary>A read page: the sign-in page for nobody, a 403 page for a role below <paramref name="role"/>.</summary>
    public static RouteHandlerBuilder Page(this RouteHandlerBuilder builder, string role) =>
        builder.AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            var caller = http.Features.Get<Caller>();
            if (caller is null)
                return Results.Redirect("/signin?next=" + Uri.EscapeDataString(http.Request.Path + http.Request.QueryString));
            if (!caller.AtLeast(role))
                return Problem(http, 403, "Forbidden", $"this page needs the '{role}' role; '{caller.Name}' has '{caller.Role}'");
            return await next(context);
        }).ExcludeFromDescription();

    /// <summary>A form that changes something: the API's role rule first, then its antiforgery token (a forged form is refused).</summary>
    public static RouteHandlerBuilder Action(this RouteHandlerBuilder builder, string role) =>
        builder.RequireRole(role).AddEndpointFilter(async (context, next) =>
        {
            var antiforgery = context.HttpContext.RequestServices.GetRequiredService<IAntiforgery>();
            if (!await antiforgery.IsRequestValidAsync(context.HttpContext))
                return Results.Problem(title: "Bad request",
                    detail: "the form's antiforgery token is missing or does not match this session; reload the page and submit it again", statusCode: 400);
            return await next(context);
        }).DisableAntiforgery().ExcludeFromDescription();

    public static PageChrome Chrome(HttpContext context) =>
        new(context.Features.Get<Caller>() ?? throw new InvalidOperationException("a page rendered without a signed-in caller"),
            Csrf(context), context.Request.Path.Value ?? "/");

    /// <summary>
    /// Whether the person a long-lived page (a live stream) was opened for may still see it: their token
    /// still exists (a revoked token ends its streams too, not only its next page) and their session has not expired.
    /// </summary>
    public static async Task<bool> StillSignedInAsync(HttpContext context)
    {
        var header = context.Request.Headers.Authorization.ToString();
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            var store = context.RequestServices.GetRequiredService<Storage.IStore>();
            return await store.FindTokenAsync(TokenSecrets.Hash(header["Bearer ".Length..].Trim()), context.RequestAborted) is not null;
        }
        return await context.RequestServices.GetRequiredService<Sessions.DashboardSessions>().ReadAsync(context) is not null;
    }

    public static string Csrf(HttpContext context) =>
        context.RequestServices.GetRequiredService<IAntiforgery>().GetAndStoreTokens(context).RequestToken ?? "";

    public static IResult Render<TComponent>(HttpContext context, object parameters, int status = 200) where TComponent : IComponent
    {
        Secure(context);
        return new RazorComponentResult<TComponent>(parameters) { StatusCode = status };
    }

    public static IResult Problem(HttpContext context, int status, string title, string detail, string back = "/")
    {
        if (context.Features.Get<Audit.AuditNotes>() is { Reason: null } notes)
            notes.Reason = detail;
        return Render<Problem>(context, new { Chrome = Chrome(context), Title = title, Detail = detail, Back = back }, status);
    }

    /// <summary>The headers every page carries: only this server's scripts run, no page frames it, no referrer leaves it.</summary>
    public static void Secure(HttpContext context)
    {
        var headers = context.Response.Headers;
        headers.ContentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'";
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "same-origin";
        headers.CacheControl = "no-store";
    }

    /// <summary>A local path to go back to after sign-in; anything else (another site, a scheme) becomes "/".</summary>
    /// <remarks>Control characters are refused too: browsers drop a tab from a URL, so "/\t/evil.example" would be "//evil.example".</remarks>
    public static string LocalPath(string? next) =>
        next is { Length: > 0 } n && n[0] == '/' && (n.Length == 1 || (n[1] != '/' && n[1] != '\\'))
            && !n.Contains("://", StringComparison.Ordinal) && !n.Any(char.IsControl) ? n : "/";
}
