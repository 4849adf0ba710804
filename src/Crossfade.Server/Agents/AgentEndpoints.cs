using System.Text.Json;
using Crossfade.Contracts.V1;
using Crossfade.Server.Api;
using Crossfade.Server.Audit;
using Crossfade.Server.Auth;
using Crossfade.Server.Config;
using Crossfade.Server.Releases;
using Crossfade.Server.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Crossfade.Server.Agents;

/// <summary>The API that agents call (and nothing else can): enroll, poll for work, report, fetch artifacts.</summary>
public static class AgentEndpoints
{
    private const int MaxInstances = 500;

    public static void MapAgentApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/agent/v1/enroll", EnrollAsync);
        // An agent's polls, output and results are the deploy's own record, not changes of their own.
        var group = app.MapGroup("/api/agent/v1").RequireRole(Roles.Agent).SkipAudit();
        group.MapPost("/poll", PollAsync);
        group.MapPost("/steps/{id:long}/logs", AppendLogAsync);
        group.MapPost("/steps/{id:long}/result", FinishAsync);
        group.MapGet("/artifacts/{sha256}", (string sha256, ArtifactStore artifacts) =>
            artifacts.Exists(sha256)
                ? Results.File(artifacts.PathOf(sha256), "application/gzip")
                : Problems.NotFound($"no artifact with sha256 '{sha256}'"));
    }

    private static async Task<IResult> EnrollAsync(HttpRequest request, IStore store, TimeProvider time, CancellationToken ct)
    {
        var (body, error) = await JsonBody.ReadAsync<EnrollRequest>(request, ct);
        if (body is null)
            return error!;
        request.HttpContext.Audit().Add("host", body.Name);
        if (!Crossfade.Core.Naming.FolderNames.IsName(body.Name))
            return Problems.BadRequest($"'name' is not a host name: host names are {Crossfade.Core.Naming.FolderNames.NameRule}");
        // Unnamed enrollment tokens are labelled 'enroll': a host of that name would be confused with them.
        if (body.Name == "enroll")
            return Problems.BadRequest("'enroll' is reserved: choose another host name");
        var hash = TokenSecrets.Hash(Core.Links.JoinToken.Split(body.EnrollmentToken ?? "").Secret);
        var token = await store.FindTokenAsync(hash, ct);
        if (token is not { Role: "enroll" })
            return Results.Problem(title: "Unauthorized", detail: "the enrollment token is unknown or was used already; create one with 'crossfade token create --role enroll'", statusCode: 401);
        // A token made for a named host enrolls that host only (an unnamed one, labelled by its role, any).
        if (token.Name != "enroll" && token.Name != body.Name)
            return Results.Problem(title: "Forbidden", detail: $"this enrollment token was made for host '{token.Name}', not '{body.Name}'", statusCode: 403);
        if (!await store.DeleteTokenAsync(hash, ct))
            return Results.Problem(title: "Unauthorized", detail: "the enrollment token was used already; create one with 'crossfade token create --role enroll'", statusCode: 401);
        var secret = TokenSecrets.New("cfh");
        await store.AddTokenAsync(new TokenRecord(TokenSecrets.Hash(secret), body.Name, Roles.Agent, time.GetUtcNow()), ct);
        await store.UpsertHostAsync(body.Name, body.Roles ?? [], time.GetUtcNow(), ct);
        return Results.Ok(new EnrollResponse(body.Name, secret));
    }

    private static async Task<IResult> PollAsync(
        HttpContext context, IStore store, WorkSignals signals, ConfigService config, Binaries.AgentBinaries binaries, TimeProvider time, ServerOptions options, CancellationToken ct)
    {
        var host = context.Caller().Name;
        var (beat, error) = await JsonBody.ReadAsync<AgentHeartbeat>(context.Request, ct);
        if (beat is null)
            return error!;
        var wait = TimeSpan.FromSeconds(Math.Clamp(int.TryParse(context.Request.Query["wait"], out var w) ? w : (int)options.PollWait.TotalSeconds, 0, 60));
        var deadline = time.GetUtcNow() + wait;
        var live = JsonSerializer.Serialize(beat.LiveReleases ?? new Dictionary<string, string>());
        // At most a few processes per app: a heartbeat claiming thousands is cut, not stored whole.
        var instances = beat.Instances is { } reported ? JsonSerializer.Serialize(reported.Take(MaxInstances), JsonBody.Options) : null;
        var agentVersion = beat.Version is { Length: > 0 and <= 100 } v && v.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '+' or '-') ? v : null;
        await store.TouchHostAsync(host, live, time.GetUtcNow(), ct, instances, agentVersion);
        await Binaries.Upgrades.AnswerAsync(context, store, binaries, host, beat, ct);
        // Steps are idempotent, so a step an earlier agent process took and never finished runs again.
        await store.RequeueOrphanedStepsAsync(host, ct);
        while (true)
        {
            var step = await store.TakeNextStepAsync(host, time.GetUtcNow(), ct);
            if (step is not null)
            {
                signals.Touched(step.DeployId);
                var payload = JsonSerializer.Deserialize<StepPayload>(step.PayloadJson, JsonBody.Options)!;
                if (step.Kind != StepKind.Converge || payload.Config is null)
                    return Results.Ok(new WorkItem(step.Id, step.DeployId, WireNames.Of(step.Kind), payload));
                // Rendered now, for this host only: the plan may hold secrets, so it is never stored.
                var (plan, why) = await config.PlanForAsync(step, payload, ct);
                if (plan is not null)
                    return Results.Ok(new WorkItem(step.Id, step.DeployId, WireNames.Of(step.Kind), payload, plan));
                var failed = new StepResult(false, $"the configuration could not be rendered: {why}");
                await store.FinishStepAsync(step.Id, false, failed.Message, time.GetUtcNow(), ct);
                signals.DeployChanged(step.DeployId);
                continue;
            }
            var remaining = deadline - time.GetUtcNow();
            if (remaining <= TimeSpan.Zero)
                break;
            try
            {
                await signals.WaitForWorkAsync(host, remaining, ct);
            }
            catch (OperationCanceledException)
            {
                return Results.NoContent();
            }
        }
        await store.TouchHostAsync(host, live, time.GetUtcNow(), ct, instances);
        return Results.NoContent();
    }

    private static async Task<IResult> AppendLogAsync(long id, HttpContext context, IStore store, WorkSignals signals, CancellationToken ct)
    {
        var step = await OwnStepAsync(id, context, store, ct);
        if (step is null)
            return Problems.NotFound($"step {id} is not one of this host's steps");
        var (batch, error) = await JsonBody.ReadAsync<StepLogBatch>(context.Request, ct);
        if (batch is null)
            return error!;
        await store.AppendStepLogAsync(id, batch.Lines ?? [], ct);
        signals.Touched(step.DeployId);
        return Results.NoContent();
    }

    private static async Task<IResult> FinishAsync(long id, HttpContext context, IStore store, WorkSignals signals, TimeProvider time, CancellationToken ct)
    {
        var step = await OwnStepAsync(id, context, store, ct);
        if (step is null)
            return Problems.NotFound($"step {id} is not one of this host's steps");
        var (result, error) = await JsonBody.ReadAsync<StepResult>(context.Request, ct);
        if (result is null)
            return error!;
        if (result.Converge is { } report)
            await store.SaveStepReportAsync(id, JsonSerializer.Serialize(report, JsonBody.Options), ct);
        await store.FinishStepAsync(id, result.Succeeded, result.Message ?? "", time.GetUtcNow(), ct);
        signals.DeployChanged(step.DeployId);
        return Results.NoContent();
    }

    private static async Task<StepRecord?> OwnStepAsync(long id, HttpContext context, IStore store, CancellationToken ct)
    {
        var step = await store.GetStepAsync(id, ct);
        return step is not null && step.Host == context.Caller().Name ? step : null;
    }
}
