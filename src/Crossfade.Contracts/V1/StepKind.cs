using System.Text.Json.Serialization;

namespace Crossfade.Contracts.V1;

/// <summary>The kinds of step an agent runs. Lower case on the wire and in the store.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<StepKind>))]
public enum StepKind
{
    /// <summary>Stage the release; on a web host, start a healthy candidate beside the live instance.</summary>
    [JsonStringEnumMemberName("prepare")]
    Prepare,

    /// <summary>Run the release's migration, once, on the migrator host.</summary>
    [JsonStringEnumMemberName("migrate")]
    Migrate,

    /// <summary>Switch the host to the release (the cutover).</summary>
    [JsonStringEnumMemberName("activate")]
    Activate,

    /// <summary>Stop a candidate that will not take traffic.</summary>
    [JsonStringEnumMemberName("discard")]
    Discard,

    /// <summary>Run the critical paths against the candidate.</summary>
    [JsonStringEnumMemberName("check")]
    Check,

    /// <summary>Stop the old instance kept warm through the bake window.</summary>
    [JsonStringEnumMemberName("finalize")]
    Finalize,

    /// <summary>Converge the host's configuration.</summary>
    [JsonStringEnumMemberName("converge")]
    Converge,

    /// <summary>Send a share of the host's clients to its candidate beside the live instance (0 ends the split).</summary>
    [JsonStringEnumMemberName("split")]
    Split,
}
