using System.Text.Json;
using Crossfade.Contracts.V1;
using Crossfade.Core.Builds;
using Crossfade.Core.Specs;
using Crossfade.Server.Api;
using Crossfade.Server.Audit;
using Crossfade.Server.Auth;
using Crossfade.Server.Builds;
using Crossfade.Server.Deploys;
using Crossfade.Server.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Crossfade.Server.Hooks;

/// <summary>
/// Webhooks from GitHub, GitLab and any CI: each checks its signature against the app's webhook secret
/// before it reads anything, takes a delivery once (a redelivery starts nothing), and answers at once —
/// the build and deploy are queued. Every refusal is a 4xx naming why, and an audit record.
/// </summary>
public static class HookEndpoints
{
    public static void MapHooks(this IEndpointRouteBuilder routes)
    {
        var hooks = routes.MapGroup("/hooks").WithTags("Webhooks");
        hooks.MapPost("/github/{app}", GitHubAsync);
        hooks.MapPost("/gitlab/{app}", GitLabAsync);
        hooks.MapPost("/generic/{app}", GenericAsync);
        routes.MapPost("/api/v1/apps/{app}/hook-secret", RotateAsync).WithTags("Webhooks").RequireRole(Roles.Admin);
    }

    private sealed record Intake(string App, AppSpec Spec, string Secret, byte[] Body);

    private static async Task<(Intake? Intake, IResult? Refusal)> OpenAsync(string app, string provider, HttpContext context, IStore store, Telemetry.AppSpecs specs, HookSecrets secrets)
    {
        var ct = context.RequestAborted;
        context.Audit().Add("provider", provider).Actor = provider;
        if (await store.GetAppAsync(app, ct) is not { } record || specs.Of(record) is not { } spec)
            return (null, Problems.NotFound($"no app named '{app}'"));
        if (await secrets.GetAsync(app, ct) is not { } secret)
            return (null, Refuse(403, "Forbidden", $"'{app}' has no webhook secret yet: an admin makes one with 'crossfade webhook secret {app}'"));
        using var slot = context.RequestServices.GetRequiredService<HookReaders>().Enter();
        if (slot is null)
        {
            context.Response.Headers.RetryAfter = "5";
            return (null, Refuse(503, "Busy", $"{HookReaders.Max} webhook deliveries are being read already; send it again in a few seconds"));
        }
        var body = await HookBody.ReadAsync(context.Request, ct);
        if (body is null)
            return (null, Refuse(413, "Payload too large", $"the body is over {HookBody.MaxBytes / (1024 * 1024)} MB"));
        return (new Intake(app, spec, secret, body), null);
    }

    private static async Task<IResult> GitHubAsync(string app, HttpContext context, IStore store, Telemetry.AppSpecs specs, HookSecrets secrets, BuildService builds, TimeProvider time)
    {
        var (intake, refusal) = await OpenAsync(app, "github", context, store, specs, secrets);
        if (intake is null)
            return refusal!;
        var headers = context.Request.Headers;
        if (!WebhookSignatures.GitHub(intake.Secret, intake.Body, headers["X-Hub-Signature-256"]))
            return Refuse(401, "Unauthorized", "'X-Hub-Signature-256' is missing or does not match the body under this app's webhook secret");
        var kind = headers["X-GitHub-Event"].ToString();
        context.Audit().Add("event", kind);
        if (kind == "ping")
            return Results.Ok(new { status = "pong" });
        if (kind != "push")
            return Problems.BadRequest($"GitHub event '{AuditText.Clean(kind, 50)}' is not taken: only 'push' (and 'ping')");
        if (Json(intake.Body) is not { } root)
            return Problems.BadRequest("the body is not JSON");
        var (push, problem) = PushEvent.FromGitHub(root);
        return push is null ? Problems.BadRequest(problem!) : await TakePushAsync(intake, push, "github", headers["X-GitHub-Delivery"], context, store, builds, time);
    }

    private static async Task<IResult> GitLabAsync(string app, HttpContext context, IStore store, Telemetry.AppSpecs specs, HookSecrets secrets, BuildService builds, TimeProvider time)
    {
        var (intake, refusal) = await OpenAsync(app, "gitlab", context, store, specs, secrets);
        if (intake is null)
            return refusal!;
        var headers = context.Request.Headers;
        string delivery = headers["X-Gitlab-Event-UUID"].ToString();
        if (headers.ContainsKey("webhook-signature"))
        {
            // GitLab's signing form: the Standard Webhooks headers, whose id is the delivery.
            if (WebhookSignatures.Standard(intake.Secret, headers["webhook-id"], headers["webhook-timestamp"], headers["webhook-signature"], intake.Body, time.GetUtcNow()) is { } bad)
                return Refuse(401, "Unauthorized", bad);
            delivery = headers["webhook-id"].ToString();
        }
        else if (!WebhookSignatures.Token(intake.Secret, headers["X-Gitlab-Token"]))
            return Refuse(401, "Unauthorized", "'X-Gitlab-Token' is missing or is not this app's webhook secret");
        var kind = headers["X-Gitlab-Event"].ToString();
        context.Audit().Add("event", kind);
        if (kind is not ("Push Hook" or "Tag Push Hook"))
            return Problems.BadRequest($"GitLab event '{AuditText.Clean(kind, 50)}' is not taken: only 'Push Hook' and 'Tag Push Hook'");
        if (Json(intake.Body) is not { } root)
            return Problems.BadRequest("the body is not JSON");
        var (push, problem) = PushEvent.FromGitLab(root);
        return push is null ? Problems.BadRequest(problem!) : await TakePushAsync(intake, push, "gitlab", delivery, context, store, builds, time);
    }

    /// <summary>
    /// Any CI, signed the Standard Webhooks way. The body names a release to deploy
    /// (<c>{"version": "1.4.2", "environment": "staging"}</c>) or a commit to build
    /// (<c>{"ref": "refs/heads/main", "commit": "…"}</c>, deployed where the spec maps the ref).
    /// </summary>
    private static async Task<IResult> GenericAsync(
        string app, HttpContext context, IStore store, Telemetry.AppSpecs specs, HookSecrets secrets, BuildService builds, DeployService deploys, TimeProvider time)
    {
        var (intake, refusal) = await OpenAsync(app, "generic", context, store, specs, secrets);
        if (intake is null)
            return refusal!;
        var headers = context.Request.Headers;
        if (WebhookSignatures.Standard(intake.Secret, headers["webhook-id"], headers["webhook-timestamp"], headers["webhook-signature"], intake.Body, time.GetUtcNow()) is { } bad)
            return Refuse(401, "Unauthorized", bad);
        if (Json(intake.Body) is not { ValueKind: JsonValueKind.Object } root)
            return Problems.BadRequest("the body is not a JSON object");
        string? Text(string name) => root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
        if (Text("version") is { } version)
        {
            var environment = Text("environment") ?? (Text("ref") is { } r ? GitRefs.EnvironmentFor(intake.Spec.PushTriggers, r) : null);
            if (environment is null || !intake.Spec.Environments.ContainsKey(environment))
                return Problems.BadRequest("a body naming a 'version' names the 'environment' to deploy it to (or a 'ref' the spec maps to one)");
            context.Audit().Add("version", version).Environment = environment;
            if (!await store.RecordDeliveryAsync("generic", headers["webhook-id"].ToString(), app, time.GetUtcNow(), context.RequestAborted))
                return Duplicate(context);
            var start = await deploys.StartAsync(new DeployRequest(app, environment, DeployKind.Deploy, version, "webhook", Roles.Deployer, "webhook",
                $"hook-{app}-{headers["webhook-id"]}", Queue: true), context.RequestAborted);
            if (start.WaitUntil is { } until)
            {
                var schedule = await Schedules.WaitingSchedule.AddAsync(store, time, app, environment, version, "webhook", until, start.Refusal);
                context.Audit().Add("schedule", schedule);
                return Results.Accepted($"/api/v1/schedules", new { status = "waiting", schedule, reason = start.Refusal });
            }
            if (start.Deploy is null)
                return Refuse(start.Status, "Refused", start.Refusal ?? "the deploy was refused");
            context.Audit().Add("deploy", start.Deploy.Id);
            return Results.Accepted($"/api/v1/deploys/{start.Deploy.Id}", new { status = "deploying", deploy = start.Deploy.Id });
        }
        if (Text("ref") is not { } gitRef)
            return Problems.BadRequest("the body names no 'version' to deploy and no 'ref' to build");
        var push = new PushEvent(gitRef.StartsWith("refs/", StringComparison.Ordinal) ? gitRef : GitRefs.BranchPrefix + gitRef, Text("commit") ?? "", Text("sender") ?? "ci", false);
        return await TakePushAsync(intake, push with { Sha = push.Sha }, "generic", headers["webhook-id"], context, store, builds, time);
    }

    private static async Task<IResult> TakePushAsync(
        Intake intake, PushEvent push, string provider, string? delivery, HttpContext context, IStore store, BuildService builds, TimeProvider time)
    {
        var notes = context.Audit().Add("ref", push.Ref).Add("commit", push.Sha).Add("delivery", delivery);
        notes.Actor = $"{provider}:{push.Pusher}";
        if (string.IsNullOrEmpty(delivery))
            return Problems.BadRequest($"the delivery id header is missing: without it a redelivery could deploy twice");
        if (intake.Spec.Build is null)
            return Problems.Unprocessable($"'{intake.App}' has no 'build' section in its spec: a push has nothing to build");
        var environment = GitRefs.EnvironmentFor(intake.Spec.PushTriggers, push.Ref);
        if (push.Deleted || environment is null)
        {
            notes.Reason = push.Deleted ? $"{push.Ref} was deleted: nothing to build" : $"no environment is mapped to {push.Ref} in the spec's 'triggers': nothing to build";
            return Results.Ok(new { status = "ignored", reason = notes.Reason });
        }
        notes.Environment = environment;
        var sha = push.Sha.Length == 0 ? null : push.Sha;
        if (sha is not null && !GitRefs.IsSha(sha))
            return Problems.BadRequest($"'{AuditText.Clean(push.Sha, 60)}' is not a full commit id");
        if (!await store.RecordDeliveryAsync(provider, delivery, intake.App, time.GetUtcNow(), context.RequestAborted))
            return Duplicate(context);
        var (build, problem) = await builds.QueueAsync(intake.App, push.Ref, sha, environment, $"{provider}:{AuditText.Clean(push.Pusher, 60)}", "webhook", context.RequestAborted);
        if (build is null)
            return Problems.BadRequest(problem!);
        notes.Add("build", build.Id);
        return Results.Accepted($"/api/v1/builds/{build.Id}", new { status = "queued", build = build.Id, environment });
    }

    private static IResult Duplicate(HttpContext context)
    {
        context.Audit().Reason = "a redelivery of a delivery taken before: nothing started";
        return Results.Ok(new { status = "duplicate", reason = context.Audit().Reason });
    }

    private static async Task<IResult> RotateAsync(string app, HttpContext context, IStore store, HookSecrets secrets, ServerOptions options, CancellationToken ct)
    {
        if (await store.GetAppAsync(app, ct) is null)
            return Problems.NotFound($"no app named '{app}'");
        var secret = await secrets.RotateAsync(app, context.Caller().Name, ct);
        // The server's own address (--public-url), never the request's Host header, which the caller chose.
        var root = options.LinkRoot;
        return Results.Ok(new HookSecretView(app, secret, [$"{root}/hooks/github/{app}", $"{root}/hooks/gitlab/{app}", $"{root}/hooks/generic/{app}"]));
    }

    private static IResult Refuse(int status, string title, string detail) => Results.Problem(title: title, detail: detail, statusCode: status);

    private static JsonElement? Json(byte[] body)
    {
        try
        {
            using var document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 64 });
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
