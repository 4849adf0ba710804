using Crossfade.Contracts.V1;
using System.Net;
using Crossfade.Agent.Instances;
using Crossfade.Server;
using Crossfade.Server.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.Playwright;

namespace Crossfade.IntegrationTests.Dashboard;

/// <summary>
/// The dashboard's doors in a real Chromium against a real server on a real socket: sign-in by token
/// and by one-time link, a token's secret shown once, roles honoured on buttons and on hand-made
/// posts, a forged form refused, a revoked token's session ended; each page saved as a screenshot.
/// </summary>
public sealed class DashboardSignInAndRoles : IAsyncLifetime
{
    private const string Spec = "app: shop\nrun: ./run\nenvironments:\n  prod:\n    hosts:\n      web-1: [web]\n      web-2: [web]\n";
    private readonly string _dataDir = Directory.CreateTempSubdirectory("cf-dash-").FullName;
    private WebApplication _server = null!;
    private string _url = "";
    private string _admin = "";
    private Cli.ApiClient _api = null!;

    public async Task InitializeAsync()
    {
        _url = $"http://127.0.0.1:{FreePorts.BelowEphemeral()}";
        _server = await ServerHost.BuildAsync(new ServerOptions { DataDir = _dataDir, Urls = _url });
        await _server.StartAsync();
        _admin = File.ReadAllText(Path.Combine(_dataDir, "admin.token")).Trim();
        _api = new Cli.ApiClient(_url, _admin);
        await _api.ApplyAsync(Spec, "crossfade.yml", CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        await _server.StopAsync();
        await _server.DisposeAsync();
        Directory.Delete(_dataDir, recursive: true);
    }

    [Fact]
    public async Task SignIn_AdminMakesAViewerToken_TheViewerSeesNoButtonsAndIsRefused_ForgedFormsToo_RevokingEndsTheSession()
    {
        await using var browser = await Browser.LaunchAsync();
        var admin = await browser.NewPageAsync(_url);

        var first = await admin.GotoAsync("/apps/shop/prod");
        admin.Url.ShouldContain("/signin?next=");
        await admin.FillAsync("#token", "cft_not-a-token");
        await admin.ClickAsync("form button[type=submit]");
        await Assertions.Expect(admin.Locator("[role=alert]")).ToContainTextAsync("not known");
        await Browser.SignInAsync(admin, _admin);
        var session = (await admin.Context.CookiesAsync()).Single(c => c.Name == "crossfade_session");
        (session.HttpOnly, session.SameSite).ShouldBe((true, SameSiteAttribute.Strict));
        session.Expires.ShouldBeGreaterThan(DateTimeOffset.UtcNow.AddHours(11).ToUnixTimeSeconds());
        session.Value.ShouldNotContain(_admin[4..12]);
        await Assertions.Expect(admin.Locator("h1")).ToHaveTextAsync("Overview");
        await Assertions.Expect(admin.Locator("article.card[data-app=shop][data-env=prod]")).ToContainTextAsync("0 of 2 up");
        await Browser.ScreenshotAsync(admin, "overview-empty");

        await admin.GotoAsync("/admin");
        await admin.FillAsync("input[name=name]", "ops-viewer");
        await admin.SelectOptionAsync("select[name=role]", "viewer");
        await admin.ClickAsync("form[action='/admin/tokens'] button");
        var viewerToken = (await admin.Locator("#new-token").TextContentAsync())!.Trim();
        viewerToken.ShouldStartWith("cft_");
        await Browser.ScreenshotAsync(admin, "admin-token-created");
        await admin.GotoAsync("/admin");
        (await admin.ContentAsync()).ShouldNotContain(viewerToken, customMessage: "the secret is shown once, on the page that created it");

        // A forged form: the admin's own session, but no antiforgery token (another site's page posting to this one).
        var tokensBefore = (await _api.TokensAsync(CancellationToken.None)).Count;
        var forged = await Browser.PostFormAsync(admin, "/admin/tokens", new() { ["name"] = "forged", ["role"] = "admin" });
        forged.Status.ShouldBe(400);
        (await forged.TextAsync()).ShouldContain("antiforgery");
        var wrongToken = await Browser.PostFormAsync(admin, "/admin/tokens", new() { ["name"] = "forged", ["role"] = "admin", ["__RequestVerificationToken"] = "CfDJ8forged" });
        wrongToken.Status.ShouldBe(400);
        (await _api.TokensAsync(CancellationToken.None)).Count.ShouldBe(tokensBefore, "nothing was created by the forged forms");

        var viewer = await browser.NewPageAsync(_url);
        await Browser.SignInAsync(viewer, viewerToken);
        await viewer.GotoAsync("/apps/shop/prod");
        await Assertions.Expect(viewer.Locator("h1")).ToHaveTextAsync("shop · prod");
        (await viewer.Locator("button", new() { HasTextString = "Deploy" }).CountAsync()).ShouldBe(0);
        (await viewer.Locator("button", new() { HasTextString = "Roll back" }).CountAsync()).ShouldBe(0);
        (await viewer.Locator("nav a[href='/admin']").CountAsync()).ShouldBe(0);
        await Browser.ScreenshotAsync(viewer, "environment-as-viewer");
        (await viewer.GotoAsync("/admin"))!.Status.ShouldBe(403);
        (await viewer.GotoAsync("/apps/shop/prod/deploy?version=1.0.0"))!.Status.ShouldBe(403);

        // The viewer posts the forms anyway, with a valid antiforgery token of their own session: the role decides.
        await viewer.GotoAsync("/apps/shop/prod");
        var csrf = await Browser.FormTokenAsync(viewer);
        csrf.ShouldNotBeEmpty();
        foreach (var action in new[] { "/apps/shop/prod/rollback", "/apps/shop/prod/converge", "/apps/shop/prod/promote", "/admin/tokens" })
        {
            var refused = await Browser.PostFormAsync(viewer, action, new() { ["__RequestVerificationToken"] = csrf, ["version"] = "1.0.0", ["name"] = "x", ["role"] = "admin" });
            refused.Status.ShouldBe(403, action);
        }
        (await _api.TokensAsync(CancellationToken.None)).Count.ShouldBe(tokensBefore + 0, "the viewer created nothing");

        // The API never takes the session cookie: a page elsewhere cannot call it with the viewer's cookie.
        var api = await viewer.Context.APIRequest.GetAsync("/api/v1/apps/shop/deploys");
        api.Status.ShouldBe(401);

        // Revoking the viewer's token ends the viewer's session at the next request.
        var id = (await _api.TokensAsync(CancellationToken.None)).Single(t => t.Name == "ops-viewer").Id;
        await _api.RevokeTokenAsync(id, CancellationToken.None);
        await viewer.GotoAsync("/apps/shop/prod");
        viewer.Url.ShouldContain("/signin");
        first!.Status.ShouldBe(200, "the first visit ended on the sign-in page");
    }

    [Fact]
    public async Task OneTimeLink_SignsInOnce_AndSignOutEndsTheSession()
    {
        var link = await _api.SignInLinkAsync(CancellationToken.None);
        link.Path.ShouldStartWith("/signin/code/");
        link.Path.ShouldNotContain(_admin);
        (link.ExpiresAt - DateTimeOffset.UtcNow).ShouldBeLessThanOrEqualTo(TimeSpan.FromMinutes(5));
        // What 'crossfade dashboard' (and the demo) print: the address, and a link of its own.
        var printed = new StringWriter();
        await Commands.DashboardCommand.PrintAsync(_api, printed, CancellationToken.None);
        printed.ToString().ShouldStartWith($"dashboard: {_url}/");
        printed.ToString().ShouldNotContain(_admin);
        var printedLink = System.Text.RegularExpressions.Regex.Match(printed.ToString(), $"{_url}(/signin/code/[0-9a-f]{{32}})").Groups[1].Value;
        printedLink.ShouldNotBe(link.Path);
        await using var browser = await Browser.LaunchAsync();
        var page = await browser.NewPageAsync(_url);
        var viaPrinted = await browser.NewPageAsync(_url);
        await viaPrinted.GotoAsync(printedLink);
        await viaPrinted.ClickAsync("button:text-is('Sign in as admin')");
        await Assertions.Expect(viaPrinted.Locator("h1")).ToHaveTextAsync("Overview");

        // A link previewer (chat, mail scanner) fetching the link does not use it up: opening it only asks.
        var previewer = await browser.NewPageAsync(_url);
        (await previewer.Context.APIRequest.GetAsync(link.Path)).Status.ShouldBe(200);
        (await previewer.Context.APIRequest.GetAsync(link.Path)).Status.ShouldBe(200);
        // Nor can a page elsewhere post the code without the confirmation page's form token.
        (await Browser.PostFormAsync(previewer, link.Path, new())).Status.ShouldBe(400);

        await page.GotoAsync(link.Path);
        await Assertions.Expect(page.Locator("main")).ToContainTextAsync("signs you in as admin (admin)");
        await page.ClickAsync("button:text-is('Sign in as admin')");
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Overview");
        page.Url.ShouldNotContain("/signin");

        var other = await browser.NewPageAsync(_url);
        var again = await other.GotoAsync(link.Path);
        again!.Status.ShouldBe((int)HttpStatusCode.Unauthorized);
        await Assertions.Expect(other.Locator("[role=alert]")).ToContainTextAsync("used already or has expired");

        await page.ClickAsync("header form[action='/signout'] button");
        await page.WaitForURLAsync("**/signin");
        await page.GotoAsync("/");
        page.Url.ShouldContain("/signin");
    }

    [Fact]
    public async Task Timeline_ShowsNewEventsLive_FilteredAsAsked_WithoutAReload()
    {
        await using var browser = await Browser.LaunchAsync();
        var page = await browser.NewPageAsync(_url);
        await Browser.SignInAsync(page, _admin);
        await page.GotoAsync("/timeline?app=shop");
        await page.WaitForFunctionAsync("() => window.htmx !== undefined");
        var loads = 0;
        page.Load += (_, _) => loads++;

        await _api.PostEventAsync(new PostEventRequest("cache flushed on shop", Tags: ["app:shop", "env:prod"]), CancellationToken.None);
        await _api.PostEventAsync(new PostEventRequest("blog restarted", Tags: ["app:blog"]), CancellationToken.None);
        await _api.PostEventAsync(new PostEventRequest("<script>alert(1)</script> in a title", Tags: ["app:shop"]), CancellationToken.None);

        await Assertions.Expect(page.Locator("#events tr", new() { HasTextString = "<script>alert(1)</script> in a title" })).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#events tr", new() { HasTextString = "cache flushed on shop" })).ToBeVisibleAsync();
        (await page.Locator("#events tr", new() { HasTextString = "blog restarted" }).CountAsync()).ShouldBe(0, "the page asked for shop's events only");
        (await page.Locator("#events script").CountAsync()).ShouldBe(0, "a title is text, never markup");
        loads.ShouldBe(0, "the events arrived without a reload");
        await Browser.ScreenshotAsync(page, "timeline-live");
    }

    [Fact]
    public async Task EveryPage_RendersForAnAdmin_AndTheReadPagesWorkWithoutJavaScript()
    {
        await using var browser = await Browser.LaunchAsync();
        var page = await browser.NewPageAsync(_url);
        await Browser.SignInAsync(page, _admin);
        foreach (var (path, heading) in new[]
        {
            ("/", "Overview"), ("/apps/shop/prod", "shop · prod"), ("/history", "History"), ("/timeline", "Timeline"),
            ("/apps/shop/prod/requests", "Requests and errors · shop · prod"), ("/admin", "Admin"),
        })
        {
            var response = await page.GotoAsync(path);
            response!.Status.ShouldBe(200, path);
            await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync(heading);
            response.Headers["content-security-policy"].ShouldContain("script-src 'self'");
        }
        (await page.GotoAsync("/apps/shop/nowhere"))!.Status.ShouldBe(404);
        (await page.GotoAsync("/deploys/999"))!.Status.ShouldBe(404);
        (await page.GotoAsync("/history?outcome=Exploded"))!.Status.ShouldBe(400);
        await Assertions.Expect(page.Locator("[role=alert]")).ToContainTextAsync("not a deploy outcome");
        (await page.GotoAsync("/history/diff?id=1"))!.Status.ShouldBe(400);
        (await page.GotoAsync("/signin?next=https://evil.example/"))!.Status.ShouldBe(200);
        (await page.Locator("input[name=next]").GetAttributeAsync("value")).ShouldBe("/");

        var plain = await browser.NewPageAsync(_url);
        await plain.Context.RouteAsync("**/*.js", route => route.AbortAsync());
        await Browser.SignInAsync(plain, _admin);
        await plain.GotoAsync("/apps/shop/prod");
        await Assertions.Expect(plain.Locator("h1")).ToHaveTextAsync("shop · prod");
        await Assertions.Expect(plain.Locator("table").First).ToContainTextAsync("web-1");
    }
}
