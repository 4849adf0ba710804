using Microsoft.Data.Sqlite;

namespace Crossfade.Bench;

/// <summary>A prepared insert whose parameters are set by position.</summary>
internal sealed class Insert : IDisposable
{
    private readonly SqliteCommand _cmd;
    private readonly SqliteParameter[] _p;

    private readonly bool _returnsId;

    public Insert(SqliteConnection c, SqliteTransaction tx, string table, params string[] columns)
    {
        _cmd = c.CreateCommand();
        _cmd.Transaction = tx;
        // Only tables whose ids are used again ask for them: the ten million access records do not.
        _returnsId = table is "deploys" or "steps";
        _cmd.CommandText = $"INSERT INTO {table} ({string.Join(",", columns)}) VALUES ({string.Join(",", columns.Select((_, i) => "$p" + i))})"
            + (_returnsId ? "; SELECT last_insert_rowid();" : "");
        _p = columns.Select((_, i) => _cmd.Parameters.Add("$p" + i, SqliteType.Text)).ToArray();
        _cmd.Prepare();
    }

    public long Run(params object?[] values)
    {
        for (var i = 0; i < _p.Length; i++)
            _p[i].Value = values[i] ?? DBNull.Value;
        if (_returnsId)
            return (long)_cmd.ExecuteScalar()!;
        _cmd.ExecuteNonQuery();
        return 0;
    }

    public void Dispose() => _cmd.Dispose();
}
