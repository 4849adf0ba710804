using System.Text;
using Crossfade.Core.Builds;

namespace Crossfade.Tests.Core.Builds;

public sealed class WebhookSignaturesTests
{
    private static readonly DateTimeOffset VectorTime = DateTimeOffset.FromUnixTimeSeconds(1614265330);

    [Fact]
    public void GitHubsPublishedTestVector_Verifies()
    {
        // From GitHub's "Validating webhook deliveries".
        var body = Encoding.UTF8.GetBytes("Hello, World!");

        WebhookSignatures.GitHub("It's a Secret to Everybody", body, "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17").ShouldBeTrue();
        WebhookSignatures.GitHub("It's a Secret to Everybody", body, "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e18").ShouldBeFalse();
        WebhookSignatures.GitHub("another secret", body, "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17").ShouldBeFalse();
        WebhookSignatures.GitHub("It's a Secret to Everybody", body, "sha1=757107ea0eb2509fc211221cce984b8a37570b6d").ShouldBeFalse();
        WebhookSignatures.GitHub("It's a Secret to Everybody", body, null).ShouldBeFalse();
    }

    [Fact]
    public void TheStandardWebhooksTestVector_SignsAndVerifies()
    {
        const string secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        var body = Encoding.UTF8.GetBytes("""{"test": 2432232314}""");
        const string expected = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

        WebhookSignatures.SignStandard(secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body).ShouldBe(expected);
        WebhookSignatures.Standard(secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", "1614265330", "v1,bm9wZQ== " + expected, body, VectorTime).ShouldBeNull();
    }

    [Theory]
    [InlineData("msg_other", "1614265330", "does not match")]
    [InlineData("msg_p5jXN8AQM9LWM0D4loKWxJek", "1614265300", "does not match")]
    [InlineData("msg_p5jXN8AQM9LWM0D4loKWxJek", "soon", "not Unix seconds")]
    [InlineData("", "1614265330", "are required")]
    public void AStandardWebhooksDeliveryAltered_IsRefusedSayingWhy(string id, string timestamp, string problem)
    {
        var body = Encoding.UTF8.GetBytes("""{"test": 2432232314}""");

        WebhookSignatures.Standard("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", id, timestamp, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=", body, VectorTime)!
            .ShouldContain(problem);
    }

    [Fact]
    public void AStandardWebhooksDeliveryReplayedLater_IsRefused()
    {
        var body = Encoding.UTF8.GetBytes("""{"test": 2432232314}""");

        WebhookSignatures.Standard("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_p5jXN8AQM9LWM0D4loKWxJek", "1614265330",
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=", body, VectorTime.AddMinutes(6))!.ShouldContain("replayed");
    }

    [Fact]
    public void AToken_IsComparedWhole()
    {
        (WebhookSignatures.Token("s3cret", "s3cret"), WebhookSignatures.Token("s3cret", "s3cre"), WebhookSignatures.Token("s3cret", null))
            .ShouldBe((true, false, false));
    }
}
