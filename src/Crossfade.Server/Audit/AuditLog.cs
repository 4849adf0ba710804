using System.Globalization;
using Crossfade.Core.Audit;
using Crossfade.Server.Auth;
using Crossfade.Server.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;

namespace Crossfade.Server.Audit;

/// <summary>
/// Writes the audit trail: one record per request that changes something (made by the
/// <see cref="AuditTrail"/> middleware) and one per change the server makes by itself (a schedule, the judge).
/// </summary>
public sealed class AuditLog(IStore store, TimeProvider time, ILogger<AuditLog> logger)
{
    /// <summary>The actor name of changes the server makes by itself.</summary>
    public const string ServerActor = "crossfade";

    /// <summary>Records a change the server made by itself, on behalf of <paramref name="actor"/> (a schedule, the judge, a webhook).</summary>
    public Task RecordAsync(string actor, string action, string? app, string? environment, IReadOnlyDictionary<string, string> parameters, int status, string reason) =>
        AppendAsync(new AuditEntry(0, time.GetUtcNow(), "", actor, "", "", "", action, "", app, environment, parameters, status, AuditText.Clean(reason, 1000)));

    /// <summary>Records a request that reached <paramref name="endpoint"/> and was answered with <paramref name="status"/>.</summary>
    public Task RecordRequestAsync(HttpContext context, Endpoint endpoint, AuditNotes notes, int status)
    {
        var caller = context.Features.Get<Caller>();
        var redact = endpoint.Metadata.GetMetadata<AuditRedactAttribute>()?.RouteValues ?? [];
        var path = context.Request.Path.Value ?? "";
        var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
        // Notes may come from a body not yet validated: cleaned and cut as route values are.
        string? app = Cleaned(notes.App, 100), environment = Cleaned(notes.Environment, 100);
        foreach (var (key, value) in context.Request.RouteValues)
        {
            var text = Convert.ToString(value, CultureInfo.InvariantCulture) ?? "";
            if (redact.Contains(key))
            {
                path = path.Replace(text, "***", StringComparison.Ordinal);
                text = "***";
            }
            if (key == "app")
                app = AuditText.Clean(text, 100);
            else if (key == "environment")
                environment = AuditText.Clean(text, 100);
            else
                parameters[key] = AuditText.Clean(text, 300);
        }
        foreach (var (key, value) in context.Request.Query)
            parameters["?" + AuditText.Clean(key, 50)] = AuditText.Clean(value.ToString(), 300);
        foreach (var (key, value) in notes.Parameters)
            parameters[key] = value;
        var pattern = (endpoint as RouteEndpoint)?.RoutePattern.RawText?.TrimEnd('/') ?? path;
        return AppendAsync(new AuditEntry(0, time.GetUtcNow(), caller?.TokenId ?? "", Actor(caller, notes), caller?.Role ?? "",
            context.Connection.RemoteIpAddress?.ToString() ?? "", AuditText.Clean(context.Request.Headers.UserAgent.ToString(), 200),
            $"{context.Request.Method} {pattern}", AuditText.Clean(path, 500), app, environment, parameters, status,
            AuditText.Clean(notes.Reason, 1000)));
    }

    private static string? Cleaned(string? text, int max) => text is null ? null : AuditText.Clean(text, max);

    private static string Actor(Caller? caller, AuditNotes notes) =>
        caller?.Name ?? (AuditText.Clean(notes.Actor, 100) is { Length: > 0 } sender ? sender : "anonymous");

    private async Task AppendAsync(AuditEntry draft)
    {
        try
        {
            // Never the request's token: a change made is recorded even when its caller has gone.
            await store.AppendAuditAsync(draft, CancellationToken.None);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            logger.LogError(e, "could not write the audit record of {Action} by {Actor}", draft.Action, draft.Actor);
        }
    }
}
