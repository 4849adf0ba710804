using System.Text;
using System.Text.Json;
using Dapper;

namespace Crossfade.Server.Storage;

public sealed partial class SqliteStore
{
    public async Task<long> AddEventAsync(EventRecord e, CancellationToken ct)
    {
        await using var c = Open();
        await using var tx = await c.BeginTransactionAsync(ct);
        var id = await c.ExecuteScalarAsync<long>(new CommandDefinition(
            """
            INSERT INTO events (at, kind, title, text, tags, source, alert_type, aggregation_key, host, app, environment, deploy_id)
            VALUES (@At, @Kind, @Title, @Text, @Tags, @Source, @AlertType, @AggregationKey, @Host, @App, @Environment, @DeployId);
            SELECT last_insert_rowid();
            """,
            new { At = Ms(e.At), e.Kind, e.Title, e.Text, Tags = JsonSerializer.Serialize(e.Tags), e.Source, e.AlertType, e.AggregationKey, e.Host, e.App, e.Environment, e.DeployId },
            tx, cancellationToken: ct));
        foreach (var tag in e.Tags.Distinct())
            await c.ExecuteAsync(new CommandDefinition("INSERT OR IGNORE INTO event_tags (event_id, tag) VALUES (@id, @tag)", new { id, tag }, tx, cancellationToken: ct));
        await tx.CommitAsync(ct);
        return id;
    }

    public async Task<IReadOnlyList<EventRecord>> ListEventsAsync(EventQuery q, CancellationToken ct)
    {
        var sql = new StringBuilder("SELECT * FROM events WHERE id > @AfterId");
        var args = new DynamicParameters(new { q.AfterId, Limit = Math.Clamp(q.Limit, 1, 1000) });
        void Filter(string clause, string name, object? value)
        {
            if (value is null)
                return;
            sql.Append(" AND ").Append(clause);
            args.Add(name, value);
        }
        Filter("at >= @Start", "Start", q.Start is { } s ? Ms(s) : null);
        Filter("at <= @End", "End", q.End is { } e ? Ms(e) : null);
        Filter("app = @App", "App", q.App);
        Filter("environment = @Environment", "Environment", q.Environment);
        Filter("kind = @Kind", "Kind", q.Kind);
        if (q.Tags is { Count: > 0 } tags)
        {
            // Every tag asked for: an event matches when it carries all of them.
            sql.Append(" AND id IN (SELECT event_id FROM event_tags WHERE tag IN @Tags GROUP BY event_id HAVING COUNT(*) = @TagCount)");
            args.Add("Tags", tags.Distinct().ToList());
            args.Add("TagCount", tags.Distinct().Count());
        }
        sql.Append(q.Newest ? " ORDER BY id DESC LIMIT @Limit" : " ORDER BY id LIMIT @Limit");
        await using var c = Open();
        var rows = await c.QueryAsync<EventRow>(new CommandDefinition(sql.ToString(), args, cancellationToken: ct));
        return rows.Select(r => new EventRecord(r.id, At(r.at), r.kind, r.title, r.text, JsonSerializer.Deserialize<List<string>>(r.tags) ?? [], r.source,
            r.alert_type, r.aggregation_key, r.host, r.app, r.environment, r.deploy_id)).ToList();
    }
}

internal sealed class EventRow
{
    public long id { get; set; }
    public long at { get; set; }
    public string kind { get; set; } = "";
    public string title { get; set; } = "";
    public string text { get; set; } = "";
    public string tags { get; set; } = "[]";
    public string source { get; set; } = "";
    public string alert_type { get; set; } = "";
    public string? aggregation_key { get; set; }
    public string? host { get; set; }
    public string? app { get; set; }
    public string? environment { get; set; }
    public long? deploy_id { get; set; }
}
