namespace Crossfade.Server.Storage;

/// <summary>
/// What removing a host did: whether it was enrolled and how many of its tokens were revoked — or, when
/// unfinished deploys still have steps on it, those deploys, and nothing removed.
/// </summary>
public sealed record HostRemoval(bool Existed, int TokensRevoked, IReadOnlyList<long> BusyDeploys);
