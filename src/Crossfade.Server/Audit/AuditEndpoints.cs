using System.Globalization;
using Crossfade.Contracts.V1;
using Crossfade.Core.Audit;
using Crossfade.Server.Api;
using Crossfade.Server.Auth;
using Crossfade.Server.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Crossfade.Server.Audit;

/// <summary>The audit trail, for admins: its records filtered, and its chain checked.</summary>
public static class AuditEndpoints
{
    private const int VerifyPage = 2000;

    public static void MapAudit(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/v1/audit").WithTags("Audit");
        group.MapGet("", ListAsync).RequireRole(Roles.Admin);
        group.MapGet("/verify", async (string? head, IStore store, CancellationToken ct) => Results.Ok(await VerifyAsync(store, head, ct)))
            .RequireRole(Roles.Admin);
    }

    private static async Task<IResult> ListAsync(HttpContext context, IStore store, CancellationToken ct)
    {
        var (query, problem) = Parse(context.Request.Query);
        if (query is null)
            return Problems.BadRequest(problem!);
        return Results.Ok((await store.ListAuditAsync(query, ct)).Select(View));
    }

    /// <summary>Reads the query string into an <see cref="AuditQuery"/>, or says which parameter is wrong.</summary>
    public static (AuditQuery? Query, string? Problem) Parse(IQueryCollection q)
    {
        DateTimeOffset? Time(string name, out string? problem)
        {
            problem = null;
            if (q[name].Count == 0 || string.IsNullOrEmpty(q[name]))
                return null;
            if (DateTimeOffset.TryParse(q[name], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at))
                return at;
            problem = $"'{name}' must be an ISO 8601 time, not '{q[name]}'";
            return null;
        }
        var since = Time("since", out var sinceProblem);
        var until = Time("until", out var untilProblem);
        if ((sinceProblem ?? untilProblem) is { } timeProblem)
            return (null, timeProblem);
        var limit = 100;
        if (q["limit"].Count > 0 && (!int.TryParse(q["limit"], CultureInfo.InvariantCulture, out limit) || limit is < 1 or > 1000))
            return (null, "'limit' must be a number from 1 to 1000");
        long after = 0;
        if (q["after"].Count > 0 && (!long.TryParse(q["after"], CultureInfo.InvariantCulture, out after) || after < 0))
            return (null, "'after' must be a record number");
        string? Text(string name) => string.IsNullOrEmpty(q[name]) ? null : q[name].ToString();
        return (new AuditQuery(since, until, Text("who"), Text("app"), after, limit, Newest: after == 0), null);
    }

    /// <summary>
    /// Checks the whole chain from its first record, a page at a time; with <paramref name="head"/> (a hash
    /// written down earlier), also that the record it names is still in the trail.
    /// </summary>
    public static async Task<AuditVerifyView> VerifyAsync(IStore store, string? head, CancellationToken ct)
    {
        AuditEntry? last = null;
        long count = 0;
        var headSeen = string.IsNullOrEmpty(head);
        while (true)
        {
            var page = await store.ListAuditAsync(new AuditQuery(AfterSeq: last?.Seq ?? 0, Limit: VerifyPage, Newest: false), ct);
            if (page.Count == 0)
                break;
            if (AuditChain.Verify(page, last) is { } broken)
                return new AuditVerifyView(false, count, last?.Seq ?? 0, last?.Hash ?? "", broken.Seq, broken.Reason);
            headSeen |= page.Any(r => r.Hash == head);
            count += page.Count;
            last = page[^1];
        }
        if (!headSeen)
            return new AuditVerifyView(false, count, last?.Seq ?? 0, last?.Hash ?? "", last?.Seq ?? 0,
                $"no record has the hash {head}: records after it were removed, or it was altered");
        return new AuditVerifyView(true, count, last?.Seq ?? 0, last?.Hash ?? AuditChain.Genesis, null, null);
    }

    public static AuditRecordView View(AuditEntry e) =>
        new(e.Seq, e.At, e.TokenId, e.Actor, e.Role, e.Address, e.UserAgent, e.Action, e.Path, e.App, e.Environment,
            e.Parameters, e.Status, e.Outcome, e.Reason, e.Hash);
}
