namespace GearShop;

/// <summary><c>gear-shop migrate</c>: brings the schema up to date, idempotently, and seeds the catalogue.</summary>
public static class Migrations
{
    private static readonly string[] Steps =
    [
        """
        CREATE TABLE listings (id INTEGER PRIMARY KEY, title TEXT NOT NULL, seller TEXT NOT NULL, price_cents INTEGER NOT NULL);
        CREATE TABLE offers (id INTEGER PRIMARY KEY AUTOINCREMENT, listing_id INTEGER NOT NULL, buyer TEXT NOT NULL, amount_cents INTEGER NOT NULL, created_at TEXT NOT NULL);
        CREATE TABLE orders (id INTEGER PRIMARY KEY AUTOINCREMENT, listing_id INTEGER NOT NULL, buyer TEXT NOT NULL, status TEXT NOT NULL, created_at TEXT NOT NULL, confirmed_at TEXT);
        INSERT INTO listings (id, title, seller, price_cents) VALUES
          (1, 'Trail running shoes', 'peak-outfitters', 8900), (2, 'Two-person tent', 'camp-co', 21900),
          (3, 'Down sleeping bag', 'camp-co', 15900), (4, 'Climbing harness', 'crag-gear', 6400),
          (5, 'Headlamp 400lm', 'peak-outfitters', 3900), (6, 'Trekking poles', 'summit-supply', 7400);
        """,
        "CREATE INDEX orders_status ON orders (status, id);",
    ];

    public static int Run(ShopSettings settings)
    {
        using var connection = Db.Open(settings);
        using (var wal = connection.CreateCommand())
        {
            wal.CommandText = "PRAGMA journal_mode = WAL; CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL); INSERT INTO schema_version SELECT 0 WHERE NOT EXISTS (SELECT 1 FROM schema_version);"
                + "CREATE TABLE IF NOT EXISTS migration_runs (id INTEGER PRIMARY KEY AUTOINCREMENT, release TEXT NOT NULL, pid INTEGER NOT NULL, started_at TEXT NOT NULL, ended_at TEXT);";
            wal.ExecuteNonQuery();
        }
        // The shop's own record of every run: how a test or a benchmark counts migrations run twice.
        using (var record = connection.CreateCommand())
        {
            record.CommandText = "INSERT INTO migration_runs (release, pid, started_at) VALUES ($release, $pid, $at)";
            record.Parameters.AddWithValue("$release", settings.Version);
            record.Parameters.AddWithValue("$pid", Environment.ProcessId);
            record.Parameters.AddWithValue("$at", DateTimeOffset.UtcNow.ToString("O"));
            record.ExecuteNonQuery();
        }
        using var read = connection.CreateCommand();
        read.CommandText = "SELECT version FROM schema_version";
        var current = (long)read.ExecuteScalar()!;
        Console.WriteLine($"gear-shop {settings.Version}: schema at version {current}, target {Steps.Length}");
        if (settings.MigrateDelayMs > 0)
        {
            Console.WriteLine($"backfilling for {settings.MigrateDelayMs} ms");
            Thread.Sleep(settings.MigrateDelayMs);
        }
        if (settings.MigrateFails)
        {
            Console.Error.WriteLine("error: migration 3 failed: column 'price_cents' cannot be NOT NULL, 2 rows hold NULL");
            return 1;
        }
        for (var i = (int)current; i < Steps.Length; i++)
        {
            using var tx = connection.BeginTransaction();
            using var cmd = connection.CreateCommand();
            cmd.Transaction = tx;
            cmd.CommandText = Steps[i] + $"; UPDATE schema_version SET version = {i + 1};";
            cmd.ExecuteNonQuery();
            tx.Commit();
            Console.WriteLine($"applied migration {i + 1}");
        }
        using (var ended = connection.CreateCommand())
        {
            ended.CommandText = "UPDATE migration_runs SET ended_at = $at WHERE pid = $pid AND ended_at IS NULL";
            ended.Parameters.AddWithValue("$pid", Environment.ProcessId);
            ended.Parameters.AddWithValue("$at", DateTimeOffset.UtcNow.ToString("O"));
            ended.ExecuteNonQuery();
        }
        Console.WriteLine("schema is up to date");
        return 0;
    }
}
