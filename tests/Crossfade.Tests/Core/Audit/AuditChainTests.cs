using Crossfade.Core.Audit;

namespace Crossfade.Tests.Core.Audit;

public sealed class AuditChainTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 3, 9, 0, 0, TimeSpan.Zero);

    private static List<AuditEntry> Chain(int count)
    {
        var chain = new List<AuditEntry>();
        for (var i = 1; i <= count; i++)
        {
            var draft = new AuditEntry(i, Start.AddMinutes(i), "a1b2c3d4e5f6", "ana", "deployer", "127.0.0.1", "crossfade-cli",
                "POST /api/v1/apps/{app}/deploys", "/api/v1/apps/shop/deploys", "shop", "prod",
                new Dictionary<string, string> { ["version"] = $"1.0.{i}" }, 202, "");
            chain.Add(AuditChain.Seal(draft, chain.Count == 0 ? AuditChain.Genesis : chain[^1].Hash));
        }
        return chain;
    }

    [Fact]
    public void AnUntouchedChain_Holds()
    {
        AuditChain.Verify(Chain(6)).ShouldBeNull();
    }

    [Fact]
    public void AnAlteredRecord_NoLongerMatchesItsHash()
    {
        var chain = Chain(5);
        chain[2] = chain[2] with { Actor = "someone-else" };

        var broken = AuditChain.Verify(chain)!;

        broken.Seq.ShouldBe(3);
        broken.Reason.ShouldContain("does not match its hash");
    }

    [Fact]
    public void AnAlteredRecordHashedAgain_BreaksTheChainAtTheNextOne()
    {
        var chain = Chain(5);
        chain[2] = AuditChain.Seal(chain[2] with { Status = 403 }, chain[1].Hash);

        var broken = AuditChain.Verify(chain)!;

        broken.Seq.ShouldBe(4);
        broken.Reason.ShouldContain("does not chain");
    }

    [Fact]
    public void ARemovedRecord_IsNamed()
    {
        var chain = Chain(5);
        chain.RemoveAt(1);

        var broken = AuditChain.Verify(chain)!;

        broken.Seq.ShouldBe(3);
        broken.Reason.ShouldContain("record 2 is missing");
    }

    [Fact]
    public void RemovedFirstRecords_AreNamed()
    {
        var chain = Chain(5);
        chain.RemoveRange(0, 2);

        AuditChain.Verify(chain)!.Reason.ShouldContain("records 1 to 2 are missing");
    }

    [Fact]
    public void ParametersInAnotherOrder_HashTheSame()
    {
        var a = Chain(1)[0] with { Parameters = new Dictionary<string, string> { ["a"] = "1", ["b"] = "2" } };
        var b = a with { Parameters = new Dictionary<string, string> { ["b"] = "2", ["a"] = "1" } };

        AuditChain.HashOf(a).ShouldBe(AuditChain.HashOf(b));
        AuditChain.HashOf(a).ShouldNotBe(AuditChain.HashOf(a with { Parameters = new Dictionary<string, string> { ["a"] = "1" } }));
    }

    [Fact]
    public void APageVerifiedAfterTheRecordBeforeIt_Holds()
    {
        var chain = Chain(6);

        AuditChain.Verify(chain.Skip(3), chain[2]).ShouldBeNull();
        AuditChain.Verify(chain.Skip(4), chain[2])!.Reason.ShouldContain("record 4 is missing");
    }
}
