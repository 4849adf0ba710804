using Crossfade.Server.Audit;
using System.Text.RegularExpressions;
using Crossfade.Contracts.V1;
using Crossfade.Core.Specs;
using Crossfade.Server.Auth;
using Crossfade.Server.Config;
using Crossfade.Server.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Crossfade.Server.Api;

/// <summary>
/// An app's secrets: set (encrypted at once), listed (names only) and removed. No endpoint returns a
/// value: only agents receive them, rendered into the files that need them.
/// </summary>
public static partial class SecretsEndpoints
{
    private const int MaxValueChars = 64 * 1024;

    public static void MapSecrets(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/v1/apps/{app}/secrets").WithTags("Secrets");
        group.MapGet("", ListAsync).RequireRole(Roles.Deployer);
        group.MapPut("/{name}", SetAsync).RequireRole(Roles.Admin);
        group.MapDelete("/{name}", async (string app, string name, string? environment, IStore store, CancellationToken ct) =>
            await store.DeleteSecretAsync(app, environment ?? "", name, ct)
                ? Results.NoContent()
                : Problems.NotFound($"'{app}' has no secret '{name}'{(environment is null ? " for every environment" : $" for '{environment}'")}"))
            .RequireRole(Roles.Admin);
    }

    private static async Task<IResult> ListAsync(string app, IStore store, CancellationToken ct)
    {
        if (await store.GetAppAsync(app, ct) is not { } record)
            return Problems.NotFound($"no app named '{app}'");
        var spec = AppSpecParser.Parse(record.SpecYaml).Spec;
        var declared = (spec?.Config?.Secrets ?? []).Concat(spec?.Environments.Values.SelectMany(e => e.Exporters?.Secrets ?? []) ?? [])
            .Concat(spec?.Environments.Values.SelectMany(e => e.NoticeTargets.SelectMany(t => t.Secrets)) ?? []).ToHashSet(StringComparer.Ordinal);
        var views = (await store.ListSecretsAsync(app, ct))
            .Select(s => new SecretView(s.Name, s.Environment.Length == 0 ? null : s.Environment, s.UpdatedAt, s.UpdatedBy, declared.Contains(s.Name)))
            .ToList();
        return Results.Ok(views);
    }

    private static async Task<IResult> SetAsync(string app, string name, HttpContext context, IStore store, SecretVault vault, TimeProvider time, CancellationToken ct)
    {
        if (await store.GetAppAsync(app, ct) is not { } record)
            return Problems.NotFound($"no app named '{app}'");
        if (!NamePattern().IsMatch(name))
            return Problems.BadRequest($"'{name}' is not a secret name: letters, digits and '_', starting with a letter");
        var (body, error) = await JsonBody.ReadAsync<SetSecretRequest>(context.Request, ct);
        if (body is null)
            return error!;
        context.Audit().Environment = body.Environment;
        if (string.IsNullOrEmpty(body.Value))
            return Problems.BadRequest("'value' is required and must not be empty");
        if (body.Value.Length > MaxValueChars)
            return Problems.BadRequest($"'value' is {body.Value.Length} characters; a secret holds at most {MaxValueChars}");
        var spec = AppSpecParser.Parse(record.SpecYaml).Spec;
        if (body.Environment is { } env && spec?.Environments.ContainsKey(env) != true)
            return Problems.BadRequest($"'{app}' has no environment '{env}' (it has: {string.Join(", ", spec?.Environments.Keys ?? [])})");
        await store.UpsertSecretAsync(new SecretRecord(app, body.Environment ?? "", name, vault.Protect(app, body.Value), time.GetUtcNow(), context.Caller().Name), ct);
        return Results.NoContent();
    }

    [GeneratedRegex(@"^[A-Za-z][A-Za-z0-9_]{0,63}\z")]
    private static partial Regex NamePattern();
}
