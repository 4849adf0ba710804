using Crossfade.Contracts.V1;

namespace Crossfade.Core.Config;

/// <summary>One host's rendered resources, and the secret values in them that every report must mask.</summary>
public sealed record HostConfig(IReadOnlyList<ConvergeResource> Resources, IReadOnlyList<string> Redact, IReadOnlyList<string> SecretsUsed);
