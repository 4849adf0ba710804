using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Crossfade.Agent.Proxy.Tls;

/// <summary>
/// The control port's <c>/tls</c>: what the HTTPS port serves (<c>GET</c>); the catch-all app's HTTPS settings
/// changed in place (<c>PUT /tls</c>: its certificates, redirect and HSTS), so a renewed or added certificate,
/// or HSTS turned on, needs no restart and drops no connection; and the HTTPS port itself opened, moved or
/// closed (<c>PUT /tls/port</c>) while the plain port serves on.
/// </summary>
public static class TlsEndpoints
{
    public static void MapTls(this IEndpointRouteBuilder routes, Sites.SiteRouter router, ProxyCertificates certificates, HttpsPort https,
        Http1.Http1Listener listener)
    {
        routes.MapGet("/tls", () => Results.Ok(new TlsView(https.Port, router.Default?.Https.RedirectHttps ?? false, router.Default?.Https.Hsts,
            certificates.Served())));
        routes.MapPut("/tls/port", (PortRequest request) =>
            listener.MoveTls(request.Port) is { } problem ? Results.Problem(detail: problem, statusCode: 409) : Results.NoContent());
        routes.MapPut("/tls", (HttpsSettings settings) =>
        {
            if (https.Port is null)
                return Results.Problem(detail: "this proxy serves no HTTPS port: open one first (--tls-port, or PUT /tls/port)", statusCode: 409);
            if (router.Default is not { } catchAll)
                return Results.Problem(detail: "this proxy serves named sites only: their HTTPS settings come with their registration (PUT /sites/{name})", statusCode: 409);
            if (settings.Problem(hosts: null) is { } problem)
                return Results.Problem(detail: problem, statusCode: 400);
            if (settings.Certificates is not { Count: > 0 })
                return Results.Problem(detail: "the HTTPS port of one app needs at least one certificate", statusCode: 400);
            try
            {
                certificates.Set(ProxyCertificates.Own, settings.Normalized());
            }
            catch (ArgumentException ex)
            {
                return Results.Problem(detail: ex.Message, statusCode: 400);
            }
            catchAll.Https = HttpsPolicy.From(settings);
            return Results.NoContent();
        });
    }
}

/// <summary>The HTTPS port asked for on the control port (null: none — said, never left out).</summary>
public sealed record PortRequest([property: System.Text.Json.Serialization.JsonRequired] int? Port);

/// <summary>The HTTPS port as the control port shows it: its number, the catch-all app's redirect and HSTS, and every certificate served.</summary>
public sealed record TlsView(int? Port, bool RedirectHttps, string? Hsts, IReadOnlyList<ServedCertificate> Certificates);
