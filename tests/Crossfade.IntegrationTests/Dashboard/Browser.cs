using Microsoft.Playwright;

namespace Crossfade.IntegrationTests.Dashboard;

/// <summary>
/// Debian's Chromium driven by Playwright (no browser download: the system's <c>/usr/bin/chromium</c>),
/// in the viewer's time zone of Berlin so the pages' local times are exercised, with helpers to sign in
/// and to save screenshots under <c>artifacts/screenshots/</c>.
/// </summary>
public sealed class Browser : IAsyncDisposable
{
    public const string Chromium = "/usr/bin/chromium";
    private readonly IPlaywright _playwright;
    private readonly IBrowser _browser;

    private Browser(IPlaywright playwright, IBrowser browser) => (_playwright, _browser) = (playwright, browser);

    public static async Task<Browser> LaunchAsync()
    {
        File.Exists(Chromium).ShouldBeTrue($"{Chromium} is missing: ./test.sh installs Debian's chromium package");
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
        return new Browser(playwright, browser);
    }

    /// <summary>A fresh browser profile (its own cookies) on the server at <paramref name="server"/>.</summary>
    public async Task<IPage> NewPageAsync(string server)
    {
        var context = await _browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = server, TimezoneId = "Europe/Berlin", Locale = "en-GB", ViewportSize = new ViewportSize { Width = 1360, Height = 900 },
        });
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(15_000);
        return page;
    }

    /// <summary>Signs in with the form, as a person would: paste the token, press the button.</summary>
    public static async Task SignInAsync(IPage page, string token)
    {
        await page.GotoAsync("/signin");
        await page.FillAsync("#token", token);
        await page.ClickAsync("form button[type=submit]");
        await page.WaitForURLAsync(url => !url.Contains("/signin", StringComparison.Ordinal));
    }

    /// <summary>Saves the whole page as <c>artifacts/screenshots/{name}.png</c>.</summary>
    public static async Task ScreenshotAsync(IPage page, string name)
    {
        var root = Crossfade.Demo.RepoPaths.Root() ?? Directory.GetCurrentDirectory();
        var dir = Path.Combine(root, "artifacts", "screenshots");
        Directory.CreateDirectory(dir);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(dir, name + ".png"), FullPage = true });
    }

    /// <summary>Posts a form from inside the page's session (its cookies), as a hand-made request would: no button needed.</summary>
    public static async Task<IAPIResponse> PostFormAsync(IPage page, string path, Dictionary<string, string> fields)
    {
        var form = page.Context.APIRequest.CreateFormData();
        foreach (var (name, value) in fields)
            form.Set(name, value);
        return await page.Context.APIRequest.PostAsync(path, new APIRequestContextOptions { Form = form, MaxRedirects = 0 });
    }

    /// <summary>The antiforgery token a page's forms carry.</summary>
    public static async Task<string> FormTokenAsync(IPage page) =>
        await page.Locator("input[name=__RequestVerificationToken]").First.GetAttributeAsync("value") ?? "";

    public async ValueTask DisposeAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
    }
}
