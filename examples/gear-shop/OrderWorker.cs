using System.Runtime.InteropServices;

namespace GearShop;

/// <summary><c>gear-shop worker</c>: confirms pending orders; on SIGTERM it finishes the batch in hand, then exits.</summary>
public static class OrderWorker
{
    public static async Task<int> RunAsync(ShopSettings settings)
    {
        using var stop = new CancellationTokenSource();
        using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, ctx => { ctx.Cancel = true; stop.Cancel(); });
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, ctx => { ctx.Cancel = true; stop.Cancel(); });
        Console.WriteLine($"gear-shop worker {settings.Version} started");
        while (!stop.IsCancellationRequested)
        {
            try
            {
                var confirmed = ConfirmBatch(settings);
                if (confirmed > 0)
                    Console.WriteLine($"confirmed {confirmed} order(s)");
            }
            catch (Microsoft.Data.Sqlite.SqliteException ex)
            {
                Console.WriteLine($"worker: database not ready: {ex.Message}");
            }
            await Task.Delay(500, stop.Token).ContinueWith(_ => { });
        }
        Console.WriteLine("worker stopped after finishing its batch");
        return 0;
    }

    private static int ConfirmBatch(ShopSettings settings)
    {
        using var connection = Db.Open(settings);
        if (!Db.IsMigrated(connection))
            return 0;
        using var cmd = connection.CreateCommand();
        cmd.CommandText = "UPDATE orders SET status = 'confirmed', confirmed_at = datetime('now') WHERE id IN (SELECT id FROM orders WHERE status = 'pending' ORDER BY id LIMIT 100)";
        return cmd.ExecuteNonQuery();
    }
}
