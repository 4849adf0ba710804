using Microsoft.AspNetCore.Http;

namespace Crossfade.Server.Audit;

/// <summary>
/// Records every request that can change something (POST, PUT, PATCH, DELETE reaching an endpoint) in
/// the audit trail once it is answered — accepted, refused or failed — with who, from where and why.
/// </summary>
public sealed class AuditTrail(RequestDelegate next)
{
    public async Task InvokeAsync(HttpContext context, AuditLog log)
    {
        var endpoint = context.GetEndpoint();
        if (endpoint is null || !Changes(context.Request.Method) || endpoint.Metadata.GetMetadata<SkipAuditAttribute>() is not null)
        {
            await next(context);
            return;
        }
        var notes = new AuditNotes();
        context.Features.Set(notes);
        var status = StatusCodes.Status500InternalServerError;
        try
        {
            await next(context);
            status = context.Response.StatusCode;
        }
        finally
        {
            await log.RecordRequestAsync(context, endpoint, notes, status);
        }
    }

    private static bool Changes(string method) =>
        HttpMethods.IsPost(method) || HttpMethods.IsPut(method) || HttpMethods.IsPatch(method) || HttpMethods.IsDelete(method);
}
