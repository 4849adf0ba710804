namespace Crossfade.Contracts.V1;

/// <summary>
/// A token as listed: never its secret. The id is the start of the secret's SHA-256, enough to name
/// it for revoking and nothing more.
/// </summary>
public sealed record TokenInfoView(string Id, string Name, string Role, DateTimeOffset CreatedAt);

/// <summary>A one-time sign-in link to the dashboard (a path on the server: it works once, until <paramref name="ExpiresAt"/>).</summary>
public sealed record SignInCodeView(string Path, DateTimeOffset ExpiresAt);

/// <summary>The caller as the server knows it (the token's name and role, its id) and the server's own version.</summary>
public sealed record WhoAmIView(string Name, string Role, string? TokenId, string ServerVersion);
