using Microsoft.Data.Sqlite;

namespace GearShop;

/// <summary>Opens the shop's SQLite database, shared by the web instances and the worker.</summary>
public static class Db
{
    public static SqliteConnection Open(ShopSettings settings)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(settings.Database))!);
        var connection = new SqliteConnection($"Data Source={settings.Database};Pooling=True;Default Timeout=10");
        connection.Open();
        using var pragma = connection.CreateCommand();
        pragma.CommandText = "PRAGMA busy_timeout = 10000;";
        pragma.ExecuteNonQuery();
        return connection;
    }

    public static bool IsMigrated(SqliteConnection connection)
    {
        using var cmd = connection.CreateCommand();
        cmd.CommandText = "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'";
        return (long)cmd.ExecuteScalar()! > 0;
    }
}
