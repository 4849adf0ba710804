using Crossfade.Core.Config;
using Crossfade.Agent.Secrets;
using Crossfade.Agent.Steps;

namespace Crossfade.Tests.Agent.Secrets;

public sealed class SecretMasksTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("cf-masks-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void For_AfterRemember_MasksTheValueInEveryFormALineCanHoldIt()
    {
        var masks = new SecretMasks(_root);
        masks.Remember("shop", ["sk_live/abc+123\"q"]);

        var redactor = masks.For("shop");

        redactor.Apply("key=sk_live/abc+123\"q").ShouldBe("key=" + Redactor.Mask);
        redactor.Apply("GET /pay?key=sk_live%2Fabc%2B123%22q HTTP/1.1").ShouldBe($"GET /pay?key={Redactor.Mask} HTTP/1.1");
        redactor.Apply("""{"msg":"key sk_live/abc+123\"q"}""").ShouldBe($$"""{"msg":"key {{Redactor.Mask}}"}""");
        masks.For("other").Apply("sk_live/abc+123\"q").ShouldBe("sk_live/abc+123\"q");
    }

    [Theory]
    [InlineData("GET /pay?key=sk_live%2fabc%2b123%22q%20x HTTP/1.1")]
    [InlineData("POST /pay body=sk_live%2Fabc%2B123%22q+x")]
    [InlineData("POST /pay body=sk_live%2fabc%2b123%22q+x")]
    [InlineData("""{"msg":"key sk_live\/abc+123\"q x"}""")]
    public void For_TheValueInTheFormsOtherEncodersWrite_IsMaskedToo(string line)
    {
        var masks = new SecretMasks(_root);
        masks.Remember("shop", ["sk_live/abc+123\"q x"]);

        var masked = masks.For("shop").Apply(line);

        masked.ShouldContain(Redactor.Mask);
        masked.ShouldNotContain("abc");
    }

    [Fact]
    public void For_AfterARestart_StillMasksAndTheFileIsTheOwnersAlone()
    {
        new SecretMasks(_root).Remember("shop", ["first-key-value"]);
        new SecretMasks(_root).Remember("shop", ["rotated-key-value"]);

        var restarted = new SecretMasks(_root).For("shop");

        restarted.Apply("old first-key-value new rotated-key-value").ShouldBe($"old {Redactor.Mask} new {Redactor.Mask}");
        var file = Path.Combine(_root, "secrets", "shop.json");
        File.GetUnixFileMode(file).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }

    [Fact]
    public void Remember_ManyRotations_KeepsTheNewest()
    {
        var masks = new SecretMasks(_root);
        for (var i = 0; i < SecretMasks.Keep + 5; i++)
            masks.Remember("shop", [$"value-number-{i:00}"]);

        var redactor = masks.For("shop");

        redactor.Apply($"value-number-{SecretMasks.Keep + 4:00}").ShouldBe(Redactor.Mask);
        redactor.Apply("value-number-00").ShouldBe("value-number-00");
    }

    [Fact]
    public void For_ShortSecretsThatMatchInsideTheMask_AreMaskedOnceAndTheLineDoesNotGrow()
    {
        var masks = new SecretMasks(_root);
        masks.Remember("shop", ["e", "d", "act", "red", "key-one-two"]);
        var line = "user key-one-two sent red dye";

        var masked = masks.For("shop").Apply(line);

        masked.ShouldNotContain("key-one-two");
        masked.ShouldBe($"us{Redactor.Mask}r {Redactor.Mask} s{Redactor.Mask}nt {Redactor.Mask} {Redactor.Mask}y{Redactor.Mask}");
    }

    [Fact]
    public void For_AFileCutShortByAPowerLoss_MasksNothingUntilTheNextConverge_AndDoesNotThrow()
    {
        Directory.CreateDirectory(Path.Combine(_root, "secrets"));
        File.WriteAllText(Path.Combine(_root, "secrets", "shop.json"), "[\"half-writ");
        var masks = new SecretMasks(_root);

        masks.For("shop").Apply("half-written").ShouldBe("half-written");
        masks.Remember("shop", ["fresh-value-1"]);
        new SecretMasks(_root).For("shop").Apply("fresh-value-1").ShouldBe(Redactor.Mask);
    }

    [Fact]
    public void For_ANameThatIsNoName_MasksNothingAndTouchesNoPath() =>
        new SecretMasks(_root).For("../../etc").ShouldBe(Redactor.None);
}
