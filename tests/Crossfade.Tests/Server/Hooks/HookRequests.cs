using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Crossfade.Core.Builds;

namespace Crossfade.Tests.Server.Hooks;

/// <summary>Webhook deliveries as GitHub, GitLab and a CI send them.</summary>
internal static class HookRequests
{
    public static HttpRequestMessage GitHubPush(string app, string secret, string gitRef, string sha, string delivery, string? signatureOverride = null)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(new
        {
            @ref = gitRef, before = new string('0', 40), after = sha, deleted = false,
            pusher = new { name = "ana", email = "ana@example.com" },
            head_commit = new { id = sha, message = "a change" },
            repository = new { full_name = "shop/shop" },
        });
        return GitHub(app, secret, "push", body, delivery, signatureOverride);
    }

    public static HttpRequestMessage GitHub(string app, string secret, string kind, byte[] body, string delivery, string? signatureOverride = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/hooks/github/{app}") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new("application/json");
        request.Headers.Add("X-GitHub-Event", kind);
        request.Headers.Add("X-GitHub-Delivery", delivery);
        request.Headers.Add("X-Hub-Signature-256", signatureOverride ?? "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body)));
        return request;
    }

    public static HttpRequestMessage Generic(string app, string secret, object payload, string id, DateTimeOffset at)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(payload);
        var request = new HttpRequestMessage(HttpMethod.Post, $"/hooks/generic/{app}") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new("application/json");
        request.Headers.Add("webhook-id", id);
        request.Headers.Add("webhook-timestamp", at.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.Add("webhook-signature", WebhookSignatures.SignStandard(secret, id, at.ToUnixTimeSeconds(), body));
        return request;
    }

    public static HttpRequestMessage GitLabPush(string app, string token, string gitRef, string sha, string uuid)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(new { object_kind = "push", @ref = gitRef, before = new string('0', 40), after = sha, checkout_sha = sha, user_username = "bo" });
        var request = new HttpRequestMessage(HttpMethod.Post, $"/hooks/gitlab/{app}") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new("application/json");
        request.Headers.Add("X-Gitlab-Event", "Push Hook");
        request.Headers.Add("X-Gitlab-Token", token);
        request.Headers.Add("X-Gitlab-Event-UUID", uuid);
        return request;
    }
}
