namespace Crossfade.Contracts.V1;

/// <summary>Sets a secret's value, for one environment or (without it) for every environment of the app.</summary>
public sealed record SetSecretRequest(string Value, string? Environment = null);

/// <summary>A secret as the API shows it: never its value.</summary>
public sealed record SecretView(string Name, string? Environment, DateTimeOffset UpdatedAt, string UpdatedBy, bool Declared);
