using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Crossfade.Core.Links;

namespace Crossfade.Tests.Core.Links;

public sealed class KeyPinTests
{
    private const string Hex = "a80cc174551767bd9ac2e712c281cec4bc464ece42f056953a3ce5432bbf00b5";

    [Theory]
    [InlineData("sha256:" + Hex)]
    [InlineData("SHA256:" + Hex)]
    [InlineData(Hex)]
    [InlineData("A8:0C:C1:74:55:17:67:BD:9A:C2:E7:12:C2:81:CE:C4:BC:46:4E:CE:42:F0:56:95:3A:3C:E5:43:2B:BF:00:B5")]
    public void APin_IsReadInEverySpellingPeopleCopy(string text) => KeyPin.Parse(text).ShouldBe("sha256:" + Hex);

    [Theory]
    [InlineData("")]
    [InlineData("sha256:abc")]
    [InlineData("sha1:" + Hex)]
    [InlineData("sha256:" + Hex + "00")]
    [InlineData("zz0cc174551767bd9ac2e712c281cec4bc464ece42f056953a3ce5432bbf00b5")]
    public void AnythingElse_IsNoPin(string text) => KeyPin.Parse(text).ShouldBeNull();

    [Fact]
    public void TheCertificatesPin_IsTheHashOfItsPublicKey_SoARenewalOverTheSameKeyKeepsIt()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=shop", key, HashAlgorithmName.SHA256);
        using var first = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        using var renewed = request.CreateSelfSigned(DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddDays(90));
        using var other = new CertificateRequest("CN=shop", ECDsa.Create(ECCurve.NamedCurves.nistP256), HashAlgorithmName.SHA256)
            .CreateSelfSigned(DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddDays(90));

        KeyPin.Of(renewed).ShouldBe(KeyPin.Of(first));
        KeyPin.Of(other).ShouldNotBe(KeyPin.Of(first));
        KeyPin.Of(first).ShouldBe("sha256:" + Convert.ToHexStringLower(SHA256.HashData(key.ExportSubjectPublicKeyInfo())));
    }

    [Fact]
    public void AJoinToken_CarriesThePin_AndSplitsBackIntoTheSecretAlone()
    {
        var joined = JoinToken.Join("cfe_0123abcd", "sha256:" + Hex);

        joined.ShouldBe("cfe_0123abcd." + Hex);
        JoinToken.Split(joined).ShouldBe(("cfe_0123abcd", "sha256:" + Hex));
        JoinToken.Split(" cft_99 ").ShouldBe(("cft_99", null));
        JoinToken.Join("cft_99", null).ShouldBe("cft_99");
        // A dot followed by something that is no pin is part of the secret, never a pin.
        JoinToken.Split("cft_99.not-a-pin").ShouldBe(("cft_99.not-a-pin", null));
    }
}
