using Crossfade.Contracts.V1;
using Crossfade.Server.Auth;
using Crossfade.Server.Dashboard;
using Crossfade.Server.Dashboard.Sessions;
using Crossfade.Server.Storage;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Time.Testing;

namespace Crossfade.Tests.Server.Dashboard;

/// <summary>Session cookies and one-time codes against the clock and a forger; where a sign-in may send its person back to.</summary>
public sealed class DashboardSessionTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("cf-sessions-").FullName;
    private readonly SqliteStore _store;
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 1, 9, 0, 0, TimeSpan.Zero));
    private readonly DashboardSessions _sessions;

    public DashboardSessionTests()
    {
        _store = new SqliteStore(Path.Combine(_dir, "crossfade.db"));
        _sessions = new DashboardSessions(DataProtectionProvider.Create(new DirectoryInfo(Path.Combine(_dir, "keys"))), _store, _time);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private async Task<TokenRecord> TokenAsync(string role, string secret)
    {
        var token = new TokenRecord(TokenSecrets.Hash(secret), role + "-person", role, _time.GetUtcNow());
        await _store.AddTokenAsync(token, default);
        return token;
    }

    private static HttpContext WithCookie(string? value)
    {
        var context = new DefaultHttpContext();
        if (value is not null)
            context.Request.Headers.Cookie = $"{DashboardSessions.CookieName}={value}";
        return context;
    }

    private string StartAndReadCookie(TokenRecord token)
    {
        var context = new DefaultHttpContext();
        _sessions.Start(context, token);
        var header = context.Response.Headers.SetCookie.ToString();
        header.ShouldContain("httponly");
        header.ShouldContain("samesite=strict");
        return header[(DashboardSessions.CookieName.Length + 1)..header.IndexOf(';')];
    }

    [Fact]
    public async Task Session_NamesItsPerson_UntilItExpires_OrItsTokenIsRevoked()
    {
        var token = await TokenAsync(Roles.Deployer, "cft_deployer");
        var cookie = StartAndReadCookie(token);
        cookie.ShouldNotContain(token.Hash);

        var caller = (await _sessions.ReadAsync(WithCookie(cookie)))!;
        (caller.Name, caller.Role, caller.TokenId.Length).ShouldBe(("deployer-person", Roles.Deployer, 12));
        _time.Advance(DashboardSessions.Lifetime - TimeSpan.FromMinutes(1));
        (await _sessions.ReadAsync(WithCookie(cookie))).ShouldNotBeNull();
        _time.Advance(TimeSpan.FromMinutes(2));
        (await _sessions.ReadAsync(WithCookie(cookie))).ShouldBeNull("expired");

        var fresh = StartAndReadCookie(token);
        await _store.DeleteTokenAsync(token.Hash, default);
        (await _sessions.ReadAsync(WithCookie(fresh))).ShouldBeNull("the token was revoked");
    }

    [Fact]
    public async Task ForgedTamperedOrAgentCookies_NameNobody()
    {
        var token = await TokenAsync(Roles.Admin, "cft_admin");
        var cookie = StartAndReadCookie(token);
        (await _sessions.ReadAsync(WithCookie(null))).ShouldBeNull();
        (await _sessions.ReadAsync(WithCookie(""))).ShouldBeNull();
        (await _sessions.ReadAsync(WithCookie(token.Hash + "|99999999999"))).ShouldBeNull("a cookie the server did not seal");
        (await _sessions.ReadAsync(WithCookie(cookie[..^4] + (cookie[^4..] == "AAAA" ? "BBBB" : "AAAA")))).ShouldBeNull("tampered");
        var other = new DashboardSessions(DataProtectionProvider.Create(new DirectoryInfo(Path.Combine(_dir, "other-keys"))), _store, _time);
        (await other.ReadAsync(WithCookie(cookie))).ShouldBeNull("sealed by another server's keys");

        var agent = await TokenAsync(Roles.Agent, "cfa_agent");
        DashboardSessions.MaySignIn(agent.Role).ShouldBeFalse();
        (await _sessions.ReadAsync(WithCookie(StartAndReadCookie(agent)))).ShouldBeNull("an agent's token never signs a person in");
    }

    [Fact]
    public void Codes_WorkOnce_AndExpire()
    {
        var codes = new SignInCodes(_time);
        var (code, expires) = codes.Create("hash-1")!.Value;
        code.Length.ShouldBe(32);
        expires.ShouldBe(_time.GetUtcNow() + SignInCodes.Lifetime);
        codes.Peek(code).ShouldBe("hash-1");
        codes.Peek(code).ShouldBe("hash-1", "looking (a link previewer, the confirmation page) does not use it");
        codes.Redeem(code).ShouldBe("hash-1");
        codes.Redeem(code).ShouldBeNull("used once");
        codes.Peek(code).ShouldBeNull();

        var (late, _) = codes.Create("hash-2")!.Value;
        _time.Advance(SignInCodes.Lifetime + TimeSpan.FromSeconds(1));
        codes.Peek(late).ShouldBeNull("expired");
        codes.Redeem(late).ShouldBeNull("expired");
        codes.Redeem("not-a-code").ShouldBeNull();
    }

    [Fact]
    public void Codes_AreLimitedPerToken_SoNobodyCanExhaustThem()
    {
        var codes = new SignInCodes(_time);
        for (var i = 0; i < SignInCodes.MaxPerToken; i++)
            codes.Create("greedy").ShouldNotBeNull();
        codes.Create("greedy").ShouldBeNull("the greedy token has its share outstanding");
        codes.Create("someone-else").ShouldNotBeNull("another token is not affected");
        _time.Advance(SignInCodes.Lifetime + TimeSpan.FromSeconds(1));
        codes.Create("greedy").ShouldNotBeNull("expired codes no longer count");
    }

    [Theory]
    [InlineData("/apps/shop/prod?range=24h", "/apps/shop/prod?range=24h")]
    [InlineData("//evil.example/", "/")]
    [InlineData("/\\evil.example", "/")]
    [InlineData("https://evil.example/", "/")]
    [InlineData("javascript:alert(1)", "/")]
    [InlineData("/\t/evil.example", "/")]
    [InlineData("/x\r\nSet-Cookie: a=b", "/")]
    [InlineData("/x?next=http://evil.example", "/")]
    [InlineData(null, "/")]
    [InlineData("", "/")]
    public void AfterSignIn_OnlyALocalPath(string? next, string expected) => DashboardPages.LocalPath(next).ShouldBe(expected);
}
