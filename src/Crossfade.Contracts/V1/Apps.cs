namespace Crossfade.Contracts.V1;

/// <summary>Registers or updates an app from the text of its <c>crossfade.yml</c>.</summary>
public sealed record ApplyAppRequest(string Spec, string? FileName = null);

/// <summary>An app as the server knows it.</summary>
public sealed record AppView(
    string Name,
    string Run,
    string? Worker,
    string? Migrate,
    string HealthPath,
    int ProxyPort,
    IReadOnlyList<EnvironmentView> Environments,
    DateTimeOffset UpdatedAt);

/// <summary>An environment of an app and the hosts it deploys to.</summary>
public sealed record EnvironmentView(string Name, IReadOnlyList<HostRoleView> Hosts);

/// <summary>A host named by an environment, with the roles it plays there.</summary>
public sealed record HostRoleView(string Name, IReadOnlyList<string> Roles);

/// <summary>One problem found in an app spec, with where it was found.</summary>
public sealed record SpecErrorView(string File, int Line, int Column, string Field, string Message);
