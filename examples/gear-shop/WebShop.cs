using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace GearShop;

/// <summary>The marketplace's web process: browse listings, make offers, check out, read orders.</summary>
public static class WebShop
{
    public static async Task<int> RunAsync(ShopSettings settings, string[] args)
    {
        if (settings.StartupDelayMs > 0)
            await Task.Delay(settings.StartupDelayMs);
        var builder = WebApplication.CreateSlimBuilder(args);
        builder.WebHost.UseUrls($"http://127.0.0.1:{settings.Port}");
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        var app = builder.Build();
        var random = new Random();
        var config = ShopConfig.Load();
        // A careless release (knob GEARSHOP_LOG_PAYMENT_KEY=1) writes its secret to its log, as real apps do by mistake.
        if (settings.LogPaymentKey)
            Console.WriteLine($"warn: payment gateway configured with key {config.PaymentApiKey}; retrying with ?key={Uri.EscapeDataString(config.PaymentApiKey ?? "")}");
        var payments = PaymentsLog.In(settings);

        var checksSeen = 0;
        app.Use(async (context, next) =>
        {
            context.Response.Headers["X-App-Version"] = settings.Version;
            // A release that breaks once it has taken traffic (knob GEARSHOP_FAIL_CHECKS_AFTER=K): Crossfade's
            // critical-path checks after the K-th fail, so the checks after the switch catch it; shoppers never see it.
            if (settings.FailChecksAfter >= 0 && context.Request.Headers.UserAgent.ToString().StartsWith("crossfade-check", StringComparison.Ordinal)
                && Interlocked.Increment(ref checksSeen) > settings.FailChecksAfter)
            {
                context.Response.StatusCode = 500;
                await context.Response.WriteAsync("checkout is broken in this release");
                return;
            }
            if (settings.LatencyMs > 0 && context.Request.Path != "/health")
                await Task.Delay(settings.LatencyMs);
            // A release slower on one page only (GEARSHOP_SLOW_PATH, GEARSHOP_SLOW_MS).
            if (settings.SlowMs > 0 && context.Request.Path == settings.SlowPath)
                await Task.Delay(settings.SlowMs);
            await next(context);
            // A release that throws behind a 200 on one page (GEARSHOP_ERROR_LOG_PATH): the shopper sees nothing, the log does.
            if (settings.ErrorLogPath is { } logged && context.Request.Path == logged)
                Console.WriteLine($"fail: GearShop.PriceCache[0]\n      System.InvalidOperationException: the price cache has no entry for listing {Random.Shared.Next(1, 7)}\n         at GearShop.PriceCache.Get(Int32 listing)");
        });
        app.MapGet("/health", () => settings.FailHealth
            ? Results.Json(new { status = "failing", version = settings.Version }, statusCode: 500)
            : Results.Ok(new { status = "ok", version = settings.Version }));
        app.MapGet("/version", () => Results.Ok(new { version = settings.Version }));
        // What the converged configuration says; the payment key itself never leaves the process.
        app.MapGet("/config", () => Results.Ok(new { config.Environment, config.Host, config.Currency, config.CheckoutBanner, PaymentsConfigured = !string.IsNullOrEmpty(config.PaymentApiKey), settings.Version }));
        app.MapGet("/", () => WithDb(settings, c => Results.Content(Pages.Home(settings.Version, config.CheckoutBanner, Listings(c)), "text/html")));
        app.MapGet("/listings", () => WithDb(settings, c => Results.Ok(Listings(c))));
        app.MapGet("/listings/{id:int}", (int id) => WithDb(settings, c =>
            Listings(c).FirstOrDefault(l => l.Id == id) is { } l ? Results.Ok(l) : Results.NotFound(new { error = $"no listing {id}" })));
        app.MapPost("/offers", (OfferRequest offer) => WithDb(settings, c =>
        {
            if (offer.AmountCents <= 0)
                return Results.BadRequest(new { error = "amountCents must be positive" });
            var id = Insert(c, "INSERT INTO offers (listing_id, buyer, amount_cents, created_at) VALUES ($l, $b, $a, datetime('now')) RETURNING id",
                ("$l", offer.ListingId), ("$b", offer.Buyer), ("$a", offer.AmountCents));
            return Results.Created($"/offers/{id}", new { id, offer.ListingId, offer.AmountCents, status = "received" });
        }));
        app.MapPost("/checkout", (CheckoutRequest order) =>
        {
            // A bad release fails some checkouts: at a rate, or those of some listings (GEARSHOP_FAILING_LISTINGS).
            if ((settings.CheckoutErrorRate > 0 && random.NextDouble() < settings.CheckoutErrorRate) || settings.FailingListings?.Contains(order.ListingId) == true)
            {
                payments.NotCharged(order.ListingId, order.Buyer, settings.Version);
                return Results.Problem("checkout failed: payment provider error", statusCode: 500);
            }
            return WithDb(settings, c =>
            {
                var id = Insert(c, "INSERT INTO orders (listing_id, buyer, status, created_at) VALUES ($l, $b, 'pending', datetime('now')) RETURNING id",
                    ("$l", order.ListingId), ("$b", order.Buyer));
                return Results.Created($"/orders/{id}", new { id, status = "pending", version = settings.Version });
            });
        });
        app.MapGet("/orders/{id:long}", (long id) => WithDb(settings, c =>
        {
            using var cmd = c.CreateCommand();
            cmd.CommandText = "SELECT status FROM orders WHERE id = $id";
            cmd.Parameters.AddWithValue("$id", id);
            return cmd.ExecuteScalar() is string status ? Results.Ok(new { id, status }) : Results.NotFound(new { error = $"no order {id}" });
        }));
        if (settings.MyFeature)
            app.MapGet("/my/feature", () => Results.Ok(new { feature = "saved searches", version = settings.Version }));
        // A release that crashes a while after it starts (GEARSHOP_CRASH_AFTER_S): healthy at first, gone later.
        if (settings.CrashAfterSeconds >= 0)
            _ = Task.Delay(TimeSpan.FromSeconds(settings.CrashAfterSeconds)).ContinueWith(_ =>
            {
                Console.Error.WriteLine($"fatal: gear-shop {settings.Version} crashed {settings.CrashAfterSeconds} s after it started");
                Environment.Exit(134);
            }, TaskScheduler.Default);
        await app.RunAsync();
        return 0;
    }

    private static IResult WithDb(ShopSettings settings, Func<SqliteConnection, IResult> action)
    {
        using var connection = Db.Open(settings);
        return Db.IsMigrated(connection)
            ? action(connection)
            : Results.Problem("the database has no schema yet: run 'gear-shop migrate'", statusCode: 503);
    }

    private static List<Listing> Listings(SqliteConnection connection)
    {
        using var cmd = connection.CreateCommand();
        cmd.CommandText = "SELECT id, title, seller, price_cents FROM listings ORDER BY id";
        using var reader = cmd.ExecuteReader();
        var list = new List<Listing>();
        while (reader.Read())
            list.Add(new Listing(reader.GetInt32(0), reader.GetString(1), reader.GetString(2), reader.GetInt64(3)));
        return list;
    }

    private static long Insert(SqliteConnection connection, string sql, params (string Name, object Value)[] parameters)
    {
        using var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        foreach (var (name, value) in parameters)
            cmd.Parameters.AddWithValue(name, value);
        return (long)cmd.ExecuteScalar()!;
    }
}

public sealed record Listing(int Id, string Title, string Seller, long PriceCents);

public sealed record OfferRequest(int ListingId, string Buyer, long AmountCents);

public sealed record CheckoutRequest(int ListingId, string Buyer);
