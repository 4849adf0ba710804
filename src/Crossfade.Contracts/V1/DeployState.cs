using System.Text.Json.Serialization;

namespace Crossfade.Contracts.V1;

/// <summary>
/// Where a deploy stands, on the wire and in the store by its name. The order of its phases is declared
/// in DeployResumeOrder, not by the order here.
/// </summary>
[JsonConverter(typeof(JsonStringEnumConverter<DeployState>))]
public enum DeployState
{
    Queued,
    Converging,
    Preparing,
    Migrating,

    /// <summary>
    /// Every web host's proxy sends a share of its clients to its candidate while the judge compares the
    /// two releases on that traffic: the one planned mixed state, ended by the judge's verdict.
    /// </summary>
    Judging,
    CuttingOver,
    /// <summary>Canary hosts serve the new release; the rest still serve the old one, until promoted.</summary>
    Canary,
    /// <summary>The hosts that were not canaries switch.</summary>
    Promoting,
    Verifying,
    Succeeded,
    Aborted,
    RollingBack,
    RolledBack,

    /// <summary>
    /// A rollback could not bring every host back: the hosts its reason names serve another release.
    /// The one end where the fleet is left mixed; a person must look at those hosts.
    /// </summary>
    Mixed,

    /// <summary>A converge outside a deploy stopped on a failing resource; its report says which and why.</summary>
    Failed,
}
