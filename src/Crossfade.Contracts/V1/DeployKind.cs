using System.Text.Json.Serialization;

namespace Crossfade.Contracts.V1;

/// <summary>What a deploy does: ship a new release, go back to the one before, or converge configuration only. Lower case on the wire and in the store.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<DeployKind>))]
public enum DeployKind
{
    [JsonStringEnumMemberName("deploy")]
    Deploy,

    [JsonStringEnumMemberName("rollback")]
    Rollback,

    /// <summary>Converge the live release's configuration, outside a deploy.</summary>
    [JsonStringEnumMemberName("converge")]
    Converge,

    /// <summary>Predict what a converge would change, changing nothing.</summary>
    [JsonStringEnumMemberName("whyrun")]
    WhyRun,
}
