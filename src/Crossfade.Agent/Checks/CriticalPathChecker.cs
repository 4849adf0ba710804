using System.Net.Http.Headers;
using Crossfade.Agent.Steps;
using Crossfade.Contracts.V1;

namespace Crossfade.Agent.Checks;

/// <summary>Runs the app's critical-path checks against one base URL and says which one failed and what it answered.</summary>
public sealed class CriticalPathChecker(TimeProvider time) : ICriticalPaths
{
    private static readonly HttpClient Http = new(new SocketsHttpHandler { UseProxy = false, PooledConnectionLifetime = TimeSpan.FromSeconds(10) })
    {
        Timeout = TimeSpan.FromSeconds(10),
    };

    public async Task<string?> RunAsync(string baseUrl, IReadOnlyList<CheckDefinition> checks, string where, StepLog log, CancellationToken ct, string? host = null)
    {
        foreach (var check in checks)
        {
            var failure = await RunOneAsync(baseUrl, check, host, ct);
            if (failure is not null)
                return $"critical path '{check.Name}' ({check.Method} {check.Path}) failed on the {where}: {failure}";
            log.Write($"check '{check.Name}' passed on the {where}");
        }
        return null;
    }

    private async Task<string?> RunOneAsync(string baseUrl, CheckDefinition check, string? host, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(new HttpMethod(check.Method), baseUrl.TrimEnd('/') + check.Path);
        if (host is not null)
            request.Headers.Host = host;
        if (check.Body is not null)
            request.Content = new StringContent(check.Body, MediaTypeHeaderValue.Parse(check.ContentType));
        request.Headers.UserAgent.ParseAdd("crossfade-check/1");
        var started = time.GetTimestamp();
        try
        {
            using var response = await Http.SendAsync(request, ct);
            var body = await response.Content.ReadAsStringAsync(ct);
            if ((int)response.StatusCode != check.ExpectStatus)
                return $"expected status {check.ExpectStatus}, got {(int)response.StatusCode}: {Excerpt(body)}";
            if (check.ExpectBody is { } expected && !body.Contains(expected, StringComparison.Ordinal))
                return $"the answer ({(int)response.StatusCode}) does not contain \"{expected}\": {Excerpt(body)}";
            return null;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            return $"no answer after {time.GetElapsedTime(started).TotalSeconds:0.0}s: {ex.Message}";
        }
    }

    private static string Excerpt(string body)
    {
        var flat = body.ReplaceLineEndings(" ").Trim();
        return flat.Length <= 160 ? flat : flat[..160] + "…";
    }
}
