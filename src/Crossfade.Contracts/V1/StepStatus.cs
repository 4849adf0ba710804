using System.Text.Json.Serialization;

namespace Crossfade.Contracts.V1;

/// <summary>Where a step stands. Lower case on the wire and in the store.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<StepStatus>))]
public enum StepStatus
{
    /// <summary>Queued for its host, not taken yet.</summary>
    [JsonStringEnumMemberName("pending")]
    Pending,

    /// <summary>Its host's agent took it.</summary>
    [JsonStringEnumMemberName("running")]
    Running,

    [JsonStringEnumMemberName("succeeded")]
    Succeeded,

    [JsonStringEnumMemberName("failed")]
    Failed,
}
