using Crossfade.Agent.Steps;
using Crossfade.Contracts.V1;

namespace Crossfade.Agent.Instances;

/// <summary>Starts app instances of a release and waits for a web instance to pass its health check.</summary>
public sealed class InstanceLauncher(string hostName, TimeProvider time) : IInstanceLauncher
{
    private static readonly HttpClient Health = new(new SocketsHttpHandler { UseProxy = false, PooledConnectionLifetime = TimeSpan.FromSeconds(5) })
    {
        Timeout = TimeSpan.FromSeconds(5),
    };

    public InstanceRecord StartWeb(HostLayout layout, string app, string version, AppRuntime runtime, int port) =>
        new(version, Processes.Start(runtime.Run, layout.Release(version), Environment(layout, app, version, runtime, port),
            Path.Combine(layout.Logs, $"web-{version}.log")), port, time.GetUtcNow());

    public InstanceRecord StartWorker(HostLayout layout, string app, string version, AppRuntime runtime) =>
        new(version, Processes.Start(runtime.Worker!, layout.Release(version), Environment(layout, app, version, runtime, null),
            Path.Combine(layout.Logs, $"worker-{version}.log")), 0, time.GetUtcNow());

    public Dictionary<string, string> Environment(HostLayout layout, string app, string version, AppRuntime runtime, int? port)
    {
        var env = new Dictionary<string, string>(runtime.Env, StringComparer.Ordinal)
        {
            ["CROSSFADE_APP"] = app,
            ["CROSSFADE_RELEASE"] = version,
            ["CROSSFADE_HOST"] = hostName,
            ["CROSSFADE_SHARED"] = layout.Shared,
            ["CROSSFADE_CONFIG"] = layout.Config,
        };
        if (port is { } p)
            env["PORT"] = p.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return env;
    }

    public async Task<string?> WaitHealthyAsync(InstanceRecord instance, AppRuntime runtime, StepLog log, CancellationToken ct)
    {
        var url = $"http://127.0.0.1:{instance.Port}{runtime.HealthPath}";
        var started = time.GetTimestamp();
        var last = "no answer yet";
        while (time.GetElapsedTime(started) < TimeSpan.FromSeconds(runtime.HealthTimeoutSeconds))
        {
            if (!Processes.IsAlive(instance.Process))
                return $"the instance exited before it became healthy (last answer: {last})";
            try
            {
                using var response = await Health.GetAsync(url, ct);
                if (response.IsSuccessStatusCode)
                {
                    log.Write($"GET {runtime.HealthPath} answered {(int)response.StatusCode} after {time.GetElapsedTime(started).TotalSeconds:0.0}s");
                    return null;
                }
                var body = await response.Content.ReadAsStringAsync(ct);
                last = $"{(int)response.StatusCode} {Truncate(body, 120)}";
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
            {
                last = ex.Message;
            }
            await Task.Delay(TimeSpan.FromMilliseconds(150), time, ct);
        }
        return $"GET {runtime.HealthPath} did not answer 2xx within {runtime.HealthTimeoutSeconds}s (last answer: {last})";
    }

    private static string Truncate(string text, int max) => text.Length <= max ? text.Trim() : text[..max].Trim() + "…";
}
