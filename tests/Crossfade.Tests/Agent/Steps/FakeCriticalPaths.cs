using Crossfade.Agent.Checks;
using Crossfade.Agent.Steps;
using Crossfade.Contracts.V1;

namespace Crossfade.Tests.Agent.Steps;

/// <summary>Critical paths that pass unless <see cref="Failure"/> says otherwise for the URL checked.</summary>
internal sealed class FakeCriticalPaths : ICriticalPaths
{
    public List<(string BaseUrl, string Where)> Runs { get; } = [];
    public Func<string, string?> Failure { get; set; } = _ => null;

    public Task<string?> RunAsync(string baseUrl, IReadOnlyList<CheckDefinition> checks, string where, StepLog log, CancellationToken ct, string? host = null)
    {
        Runs.Add((baseUrl, where));
        return Task.FromResult(Failure(baseUrl) is { } failure ? $"critical path '{checks[0].Name}' failed on the {where}: {failure}" : null);
    }
}
