using System.Net;
using Crossfade.Agent.Proxy;
using Crossfade.Agent.Proxy.Http1;

namespace Crossfade.Tests.Agent.Proxy;

public class ConnectionLimiterTests
{
    private static ConnectionLimiter Limiter(int perClient) => new(new ProxyOptions { MaxConnectionsPerClient = perClient }, new ProxyCounters());

    [Fact]
    public void TryEnter_ManyAddressesOfOneIPv6Slash64_CountAsOneClient()
    {
        var limiter = Limiter(perClient: 2);

        limiter.TryEnter(IPAddress.Parse("2001:db8:1:2::1")).ShouldBeTrue();
        limiter.TryEnter(IPAddress.Parse("2001:db8:1:2:ffff::9")).ShouldBeTrue();
        limiter.TryEnter(IPAddress.Parse("2001:db8:1:2:abcd:1:2:3")).ShouldBeFalse();
        limiter.TryEnter(IPAddress.Parse("2001:db8:1:3::1")).ShouldBeTrue("another /64 is another client");
    }

    [Fact]
    public void Leave_FreesThePlaceOfTheClientItCameFrom()
    {
        var limiter = Limiter(perClient: 1);
        limiter.TryEnter(IPAddress.Parse("2001:db8::1")).ShouldBeTrue();

        limiter.Leave(IPAddress.Parse("2001:db8::1"));

        limiter.TryEnter(IPAddress.Parse("2001:db8::2")).ShouldBeTrue();
        limiter.Open.ShouldBe(1);
    }

    [Theory]
    [InlineData("203.0.113.7", "203.0.113.7")]
    [InlineData("::ffff:203.0.113.7", "203.0.113.7")]
    [InlineData("2001:db8:1:2:3:4:5:6", "2001:db8:1:2::")]
    public void ClientOf_KeepsIPv4AndCutsIPv6ToItsSlash64(string address, string client) =>
        ConnectionLimiter.ClientOf(IPAddress.Parse(address)).ShouldBe(IPAddress.Parse(client));
}
