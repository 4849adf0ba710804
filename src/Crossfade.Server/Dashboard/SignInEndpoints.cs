using Crossfade.Server.Audit;
using Crossfade.Contracts.V1;
using Crossfade.Server.Auth;
using Crossfade.Server.Dashboard.Pages;
using Crossfade.Server.Dashboard.Sessions;
using Crossfade.Server.Storage;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Crossfade.Server.Dashboard;

/// <summary>Signing in with a token or a one-time link, and out.</summary>
public static class SignInEndpoints
{
    public static void MapSignIn(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/signin", (string? next, HttpContext context) =>
            DashboardPages.Render<SignIn>(context, new { Csrf = DashboardPages.Csrf(context), Next = DashboardPages.LocalPath(next) }))
            .ExcludeFromDescription();
        routes.MapPost("/signin", SignInAsync).DisableAntiforgery().ExcludeFromDescription();
        routes.MapGet("/signin/code/{code}", ConfirmAsync).ExcludeFromDescription();
        routes.MapPost("/signin/code/{code}", RedeemAsync).DisableAntiforgery().AuditRedact("code").ExcludeFromDescription();
        routes.MapPost("/signout", (HttpContext context) =>
        {
            DashboardSessions.End(context);
            return Results.Redirect("/signin", permanent: false, preserveMethod: false);
        }).Action(Roles.Viewer);
        routes.MapPost("/api/v1/signin-codes", (HttpContext context, SignInCodes codes) =>
        {
            var caller = context.Caller();
            if (!DashboardSessions.MaySignIn(caller.Role))
                return Results.Problem(title: "Forbidden", detail: $"a '{caller.Role}' token cannot sign in to the dashboard", statusCode: 403);
            var header = context.Request.Headers.Authorization.ToString();
            var created = codes.Create(TokenSecrets.Hash(header["Bearer ".Length..].Trim()));
            if (created is not { } link)
                return Results.Problem(title: "Too many requests", statusCode: 429,
                    detail: $"this token has {SignInCodes.MaxPerToken} sign-in links outstanding; use one, or wait for them to expire ({SignInCodes.Lifetime.TotalMinutes:0} minutes)");
            return Results.Ok(new SignInCodeView($"/signin/code/{link.Code}", link.Expires));
        }).WithTags("Tokens").RequireRole(Roles.Viewer);
    }

    private static async Task<IResult> SignInAsync(HttpContext context, IStore store, DashboardSessions sessions, IAntiforgery antiforgery)
    {
        if (!context.Request.HasFormContentType)
            return Results.Problem(title: "Bad request", detail: "sign in with the form: a token in the 'token' field", statusCode: 400);
        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        var next = DashboardPages.LocalPath(form["next"]);
        if (!await antiforgery.IsRequestValidAsync(context))
            return Again(context, next, "The form had expired or did not come from this page; sign in again.", 400);
        var secret = form["token"].ToString().Trim();
        var token = secret.Length is > 0 and <= 200 ? await store.FindTokenAsync(TokenSecrets.Hash(secret), context.RequestAborted) : null;
        if (token is null || !DashboardSessions.MaySignIn(token.Role))
            return Again(context, next, "That token is not known here (or belongs to an agent): paste a viewer, deployer or admin token.", 401);
        sessions.Start(context, token);
        return Results.Redirect(next);
    }

    private const string LinkGone = "That sign-in link was used already or has expired (links work once, for five minutes). Sign in with a token, or ask for a new link.";

    /// <summary>
    /// Opening a link only asks: a link previewer (chat, mail scanner) cannot use the code up, and nobody is
    /// signed in as someone else without seeing whom — the button posts the code back, with its form token.
    /// </summary>
    private static async Task<IResult> ConfirmAsync(string code, HttpContext context, SignInCodes codes, IStore store)
    {
        var hash = code.Length == 32 ? codes.Peek(code) : null;
        var token = hash is null ? null : await store.FindTokenAsync(hash, context.RequestAborted);
        if (token is null)
            return Again(context, "/", LinkGone, 401);
        return DashboardPages.Render<SignInLink>(context, new { Csrf = DashboardPages.Csrf(context), Code = code, Name = token.Name, Role = token.Role });
    }

    private static async Task<IResult> RedeemAsync(string code, HttpContext context, SignInCodes codes, IStore store, DashboardSessions sessions, IAntiforgery antiforgery)
    {
        if (!await antiforgery.IsRequestValidAsync(context))
            return Again(context, "/", "The form had expired or did not come from this page; open the link again.", 400);
        var hash = code.Length == 32 ? codes.Redeem(code) : null;
        var token = hash is null ? null : await store.FindTokenAsync(hash, context.RequestAborted);
        if (token is null)
            return Again(context, "/", LinkGone, 401);
        sessions.Start(context, token);
        return Results.Redirect("/");
    }

    private static IResult Again(HttpContext context, string next, string error, int status) =>
        DashboardPages.Render<SignIn>(context, new { Csrf = DashboardPages.Csrf(context), Next = next, Error = error }, status);
}
