using Crossfade.Agent.Steps;
using Crossfade.Contracts.V1;

namespace Crossfade.Agent.Checks;

/// <summary>Runs the app's critical-path checks against one base URL.</summary>
public interface ICriticalPaths
{
    /// <summary>
    /// Runs the checks in order against <paramref name="baseUrl"/>, naming the target <paramref name="where"/> in
    /// messages; with <paramref name="host"/>, as requests for that host name (a proxy port several apps share).
    /// </summary>
    /// <returns>null when every check passed, otherwise the first failure in words.</returns>
    Task<string?> RunAsync(string baseUrl, IReadOnlyList<CheckDefinition> checks, string where, StepLog log, CancellationToken ct, string? host = null);
}
