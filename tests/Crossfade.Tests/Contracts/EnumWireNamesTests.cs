using System.Text.Json;
using Crossfade.Contracts.V1;
using Crossfade.Server.Api;

namespace Crossfade.Tests.Contracts;

public class EnumWireNamesTests
{
    private static readonly DeployView View = new(7, "shop", "prod", DeployKind.WhyRun, "2.0.0", "1.0.0", DeployState.RollingBack, "ann", "cli",
        DateTimeOffset.UnixEpoch, null, null, [new PhaseView(DeployState.CuttingOver, DateTimeOffset.UnixEpoch, null)],
        [new StepView(1, "web-1", StepKind.Activate, StepStatus.Succeeded, null, null, null)]);

    public static TheoryData<string> Serializers => new() { "server", "web-defaults" };

    private static JsonSerializerOptions Options(string name) => name == "server" ? JsonBody.Options : new JsonSerializerOptions(JsonSerializerDefaults.Web);

    [Theory]
    [MemberData(nameof(Serializers))]
    public void DeployView_SerializesItsEnumsAsTheirWireNames_AndReadsThemBack(string serializer)
    {
        var json = JsonSerializer.Serialize(View, Options(serializer));

        json.ShouldContain("\"kind\":\"whyrun\"");
        json.ShouldContain("\"state\":\"RollingBack\"");
        json.ShouldContain("\"name\":\"CuttingOver\"");
        json.ShouldContain("\"kind\":\"activate\"");
        json.ShouldContain("\"status\":\"succeeded\"");
        var back = JsonSerializer.Deserialize<DeployView>(json, Options(serializer))!;
        (back.Kind, back.State, back.Phases[0].Name, back.Steps[0].Kind, back.Steps[0].Status)
            .ShouldBe((DeployKind.WhyRun, DeployState.RollingBack, DeployState.CuttingOver, StepKind.Activate, StepStatus.Succeeded));
    }

    [Fact]
    public void DeployView_WithAStateNoVersionKnows_IsRefusedWithTheValueNamed()
    {
        var json = JsonSerializer.Serialize(View, JsonBody.Options).Replace("\"RollingBack\"", "\"Levitating\"", StringComparison.Ordinal);

        Should.Throw<JsonException>(() => JsonSerializer.Deserialize<DeployView>(json, JsonBody.Options)).Message.ShouldContain("state");
    }

    [Theory]
    [InlineData("activate", true)]
    [InlineData("ACTIVATE", true)]
    [InlineData("teleport", false)]
    [InlineData("2", false)]
    [InlineData("prepare,migrate", false)]
    [InlineData(" activate", false)]
    [InlineData("", false)]
    public void TryParse_StepKind_TakesOnlyNamedMembers(string text, bool known) =>
        WireNames.TryParse<StepKind>(text, out _).ShouldBe(known);

    [Fact]
    public void Of_EveryKindAndStatus_IsItsJsonName()
    {
        foreach (var kind in Enum.GetValues<StepKind>())
            JsonSerializer.Serialize(kind).ShouldBe($"\"{WireNames.Of(kind)}\"");
        foreach (var kind in Enum.GetValues<DeployKind>())
            JsonSerializer.Serialize(kind).ShouldBe($"\"{WireNames.Of(kind)}\"");
        foreach (var status in Enum.GetValues<StepStatus>())
            JsonSerializer.Serialize(status).ShouldBe($"\"{WireNames.Of(status)}\"");
    }
}
