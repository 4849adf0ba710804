using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Crossfade.Contracts.V1;

namespace Crossfade.Agent.Hosting;

/// <summary>The agent's calls to the server's agent API.</summary>
public sealed class ServerClient(HttpClient http)
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public void UseToken(string token) => http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);

    public async Task<EnrollResponse> EnrollAsync(EnrollRequest request, CancellationToken ct)
    {
        using var response = await http.PostAsJsonAsync("api/agent/v1/enroll", request, Json, ct);
        if (!response.IsSuccessStatusCode)
            throw new InvalidOperationException($"enrollment refused ({(int)response.StatusCode}): {await response.Content.ReadAsStringAsync(ct)}");
        return (await response.Content.ReadFromJsonAsync<EnrollResponse>(Json, ct))!;
    }

    /// <summary>
    /// Long-polls for the next step (null when there is none), and hears whether the server asks this agent to
    /// take another binary (its SHA-256). Throws <see cref="InvalidOperationException"/> when the token is refused.
    /// </summary>
    public async Task<(WorkItem? Work, string? UpgradeTo)> PollAsync(AgentHeartbeat beat, TimeSpan wait, CancellationToken ct)
    {
        using var response = await http.PostAsJsonAsync($"api/agent/v1/poll?wait={(int)wait.TotalSeconds}", beat, Json, ct);
        if (response.StatusCode == HttpStatusCode.Unauthorized)
            throw new InvalidOperationException(
                "the server refused this agent's token (revoked, or the server's data is new): remove agent.token from the agent's --root and start it with a new enrollment token (--token); its instances and proxy keep serving meanwhile");
        response.EnsureSuccessStatusCode();
        var upgrade = response.Headers.TryGetValues(UpgradeHeader.Name, out var values) ? values.FirstOrDefault() : null;
        return (response.StatusCode == HttpStatusCode.NoContent ? null : await response.Content.ReadFromJsonAsync<WorkItem>(Json, ct), upgrade);
    }

    /// <summary>Downloads the server's binary for a platform to <paramref name="path"/>.</summary>
    public async Task DownloadBinaryAsync(string rid, string path, CancellationToken ct)
    {
        using var response = await http.GetAsync($"api/agent/v1/binaries/{Uri.EscapeDataString(rid)}", HttpCompletionOption.ResponseHeadersRead, ct);
        if (!response.IsSuccessStatusCode)
            throw new IOException($"the server answered {(int)response.StatusCode} for the {rid} binary");
        await using var file = File.Create(path);
        await response.Content.CopyToAsync(file, ct);
    }

    public async Task SendLogAsync(long stepId, IReadOnlyList<StepLogLine> lines, CancellationToken ct)
    {
        using var response = await http.PostAsJsonAsync($"api/agent/v1/steps/{stepId}/logs", new StepLogBatch(lines), Json, ct);
        response.EnsureSuccessStatusCode();
    }

    public async Task SendResultAsync(long stepId, StepResult result, CancellationToken ct)
    {
        using var response = await http.PostAsJsonAsync($"api/agent/v1/steps/{stepId}/result", result, Json, ct);
        response.EnsureSuccessStatusCode();
    }

    public async Task DownloadAsync(string sha256, string path, CancellationToken ct)
    {
        using var response = await http.GetAsync($"api/agent/v1/artifacts/{sha256}", HttpCompletionOption.ResponseHeadersRead, ct);
        if ((int)response.StatusCode is >= 400 and < 500)
            throw new InvalidOperationException($"the server has no artifact {sha256} ({(int)response.StatusCode})");
        if (!response.IsSuccessStatusCode)
            throw new IOException($"the server answered {(int)response.StatusCode} for artifact {sha256}");
        await using var file = File.Create(path);
        await response.Content.CopyToAsync(file, ct);
    }

    /// <summary>Long-polls for a build to run (a builder host only); null when there is none.</summary>
    public async Task<BuildWork?> TakeBuildAsync(TimeSpan wait, CancellationToken ct)
    {
        using var response = await http.PostAsync($"api/agent/v1/builds/take?wait={(int)wait.TotalSeconds}", null, ct);
        if (response.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.Unauthorized)
            throw new InvalidOperationException($"the server hands this host no builds ({(int)response.StatusCode}): {await response.Content.ReadAsStringAsync(ct)}");
        response.EnsureSuccessStatusCode();
        return response.StatusCode == HttpStatusCode.NoContent ? null : await response.Content.ReadFromJsonAsync<BuildWork>(Json, ct);
    }

    /// <summary>Sends a build's output; false when the server no longer waits for the build.</summary>
    public async Task<bool> SendBuildLogAsync(long buildId, IReadOnlyList<string> lines, CancellationToken ct)
    {
        using var response = await http.PostAsJsonAsync($"api/agent/v1/builds/{buildId}/logs", new BuildLogBatch(lines), Json, ct);
        return Accepted(response);
    }

    /// <summary>Sends the archive a build packed: its SHA-256 as the server stored it, or why the server refused it (null and null: the build is over).</summary>
    public async Task<(string? Sha256, string? Refusal)> SendBuildArchiveAsync(long buildId, string path, CancellationToken ct)
    {
        await using var file = File.OpenRead(path);
        using var content = new StreamContent(file);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/gzip");
        using var response = await http.PutAsync($"api/agent/v1/builds/{buildId}/archive", content, ct);
        if (response.StatusCode == HttpStatusCode.NotFound)
            return (null, null);
        if ((int)response.StatusCode is >= 400 and < 500)
            return (null, await ProblemDetailAsync(response, ct));
        response.EnsureSuccessStatusCode();
        var stored = await response.Content.ReadFromJsonAsync<JsonElement>(Json, ct);
        return (stored.GetProperty("sha256").GetString(), null);
    }

    /// <summary>Reports how a build ended; false when the server no longer waits for it.</summary>
    public async Task<bool> SendBuildResultAsync(long buildId, BuildResult result, CancellationToken ct)
    {
        using var response = await http.PostAsJsonAsync($"api/agent/v1/builds/{buildId}/result", result, Json, ct);
        return Accepted(response);
    }

    private static bool Accepted(HttpResponseMessage response)
    {
        if (response.StatusCode == HttpStatusCode.NotFound)
            return false;
        response.EnsureSuccessStatusCode();
        return true;
    }

    private static async Task<string> ProblemDetailAsync(HttpResponseMessage response, CancellationToken ct)
    {
        var text = await response.Content.ReadAsStringAsync(ct);
        try
        {
            return JsonDocument.Parse(text).RootElement.TryGetProperty("detail", out var detail) ? detail.GetString() ?? text : text;
        }
        catch (JsonException)
        {
            return $"the server answered {(int)response.StatusCode}";
        }
    }
}
