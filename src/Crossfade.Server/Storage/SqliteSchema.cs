namespace Crossfade.Server.Storage;

/// <summary>The SQLite schema, as ordered migrations; the server applies the missing ones at start.</summary>
internal static class SqliteSchema
{
    public static readonly string[] Migrations =
    [
        """
        CREATE TABLE apps (name TEXT PRIMARY KEY, spec TEXT NOT NULL, updated_at INTEGER NOT NULL);
        CREATE TABLE releases (
            app TEXT NOT NULL, version TEXT NOT NULL, sha256 TEXT NOT NULL, size_bytes INTEGER NOT NULL,
            commit_sha TEXT, message TEXT, created_by TEXT NOT NULL, created_at INTEGER NOT NULL,
            PRIMARY KEY (app, version));
        CREATE TABLE tokens (hash TEXT PRIMARY KEY, name TEXT NOT NULL, role TEXT NOT NULL, created_at INTEGER NOT NULL);
        CREATE TABLE hosts (
            name TEXT PRIMARY KEY, roles TEXT NOT NULL, enrolled_at INTEGER NOT NULL, last_seen INTEGER,
            live_releases TEXT NOT NULL DEFAULT '{}');
        CREATE TABLE deploys (
            id INTEGER PRIMARY KEY AUTOINCREMENT, app TEXT NOT NULL, environment TEXT NOT NULL, kind TEXT NOT NULL,
            version TEXT NOT NULL, from_version TEXT, state TEXT NOT NULL, requested_by TEXT NOT NULL,
            trigger TEXT NOT NULL, created_at INTEGER NOT NULL, finished_at INTEGER, reason TEXT,
            idempotency_key TEXT UNIQUE);
        CREATE INDEX deploys_app ON deploys (app, id);
        CREATE TABLE deploy_phases (
            deploy_id INTEGER NOT NULL, name TEXT NOT NULL, started_at INTEGER NOT NULL, ended_at INTEGER,
            PRIMARY KEY (deploy_id, name));
        CREATE TABLE live_versions (
            app TEXT NOT NULL, environment TEXT NOT NULL, version TEXT NOT NULL, deploy_id INTEGER NOT NULL,
            PRIMARY KEY (app, environment, deploy_id));
        CREATE TABLE steps (
            id INTEGER PRIMARY KEY AUTOINCREMENT, deploy_id INTEGER NOT NULL, host TEXT NOT NULL, kind TEXT NOT NULL,
            payload TEXT NOT NULL, status TEXT NOT NULL, started_at INTEGER, ended_at INTEGER, message TEXT);
        CREATE INDEX steps_host_status ON steps (host, status, id);
        CREATE INDEX steps_deploy ON steps (deploy_id);
        CREATE TABLE step_logs (
            seq INTEGER PRIMARY KEY AUTOINCREMENT, step_id INTEGER NOT NULL, at INTEGER NOT NULL, line TEXT NOT NULL);
        CREATE INDEX step_logs_step ON step_logs (step_id, seq);
        """,
        """
        ALTER TABLE deploys ADD COLUMN owner TEXT;
        ALTER TABLE deploys ADD COLUMN heartbeat_at INTEGER;
        """,
        """
        ALTER TABLE deploys ADD COLUMN canary TEXT;
        ALTER TABLE deploys ADD COLUMN canary_hold INTEGER;
        """,
        """
        ALTER TABLE deploys ADD COLUMN config TEXT;
        ALTER TABLE steps ADD COLUMN report TEXT;
        CREATE TABLE secrets (
            app TEXT NOT NULL, environment TEXT NOT NULL, name TEXT NOT NULL, ciphertext TEXT NOT NULL,
            updated_at INTEGER NOT NULL, updated_by TEXT NOT NULL,
            PRIMARY KEY (app, environment, name));
        """,
        """
        CREATE TABLE events (
            id INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER NOT NULL, kind TEXT NOT NULL, title TEXT NOT NULL, text TEXT NOT NULL,
            tags TEXT NOT NULL, source TEXT NOT NULL, alert_type TEXT NOT NULL, aggregation_key TEXT, host TEXT,
            app TEXT, environment TEXT, deploy_id INTEGER);
        CREATE INDEX events_at ON events (at);
        CREATE INDEX events_app ON events (app, environment, at);
        CREATE TABLE event_tags (event_id INTEGER NOT NULL, tag TEXT NOT NULL, PRIMARY KEY (tag, event_id)) WITHOUT ROWID;
        """,
        """
        CREATE TABLE ingest_batches (host TEXT NOT NULL, seq INTEGER NOT NULL, lines INTEGER NOT NULL, received_at INTEGER NOT NULL,
            PRIMARY KEY (host, seq)) WITHOUT ROWID;
        CREATE TABLE access_records (
            id INTEGER PRIMARY KEY, at INTEGER NOT NULL, host TEXT NOT NULL, app TEXT NOT NULL, environment TEXT NOT NULL,
            release TEXT NOT NULL, method TEXT NOT NULL, path TEXT NOT NULL, route TEXT NOT NULL, status INTEGER NOT NULL,
            ms REAL NOT NULL, bytes INTEGER NOT NULL);
        CREATE INDEX access_records_at ON access_records (app, environment, at);
        CREATE TABLE log_lines (
            id INTEGER PRIMARY KEY, at INTEGER NOT NULL, host TEXT NOT NULL, app TEXT NOT NULL, environment TEXT NOT NULL,
            file TEXT NOT NULL, level TEXT, text TEXT NOT NULL);
        CREATE INDEX log_lines_at ON log_lines (app, environment, at);
        CREATE TABLE request_minutes (
            app TEXT NOT NULL, environment TEXT NOT NULL, minute INTEGER NOT NULL, host TEXT NOT NULL, release TEXT NOT NULL,
            route TEXT NOT NULL, method TEXT NOT NULL, requests INTEGER NOT NULL, errors INTEGER NOT NULL, ms_sum REAL NOT NULL,
            hist TEXT NOT NULL,
            PRIMARY KEY (app, environment, minute, host, release, route, method)) WITHOUT ROWID;
        CREATE TABLE ingest_counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
        """,
        """
        CREATE VIRTUAL TABLE log_lines_fts USING fts5 (text, content = 'log_lines', content_rowid = 'id');
        CREATE TRIGGER log_lines_fts_insert AFTER INSERT ON log_lines BEGIN
            INSERT INTO log_lines_fts (rowid, text) VALUES (new.id, new.text);
        END;
        CREATE TRIGGER log_lines_fts_delete AFTER DELETE ON log_lines BEGIN
            INSERT INTO log_lines_fts (log_lines_fts, rowid, text) VALUES ('delete', old.id, old.text);
        END;
        CREATE INDEX request_minutes_minute ON request_minutes (minute);
        """,
        """
        CREATE TABLE request_hours (
            app TEXT NOT NULL, environment TEXT NOT NULL, minute INTEGER NOT NULL, host TEXT NOT NULL, release TEXT NOT NULL,
            route TEXT NOT NULL, method TEXT NOT NULL, requests INTEGER NOT NULL, errors INTEGER NOT NULL, ms_sum REAL NOT NULL,
            hist TEXT NOT NULL,
            PRIMARY KEY (app, environment, minute, host, release, route, method)) WITHOUT ROWID;
        INSERT INTO request_hours
            SELECT app, environment, minute / 60 * 60, host, release, route, method, SUM(requests), SUM(errors), SUM(ms_sum), ''
            FROM request_minutes GROUP BY app, environment, minute / 60 * 60, host, release, route, method;
        """,
        """
        CREATE TABLE error_fingerprints (
            app TEXT NOT NULL, environment TEXT NOT NULL, fingerprint TEXT NOT NULL, message TEXT NOT NULL, top_frame TEXT,
            first_release TEXT, last_release TEXT, first_seen INTEGER NOT NULL, last_seen INTEGER NOT NULL, count INTEGER NOT NULL,
            PRIMARY KEY (app, environment, fingerprint)) WITHOUT ROWID;
        """,
        """
        CREATE TABLE deploy_requests (
            deploy_id INTEGER NOT NULL, kind TEXT NOT NULL, requested_by TEXT NOT NULL, at INTEGER NOT NULL,
            PRIMARY KEY (deploy_id, kind)) WITHOUT ROWID;
        """,
        """
        CREATE TABLE judge_verdicts (
            id INTEGER PRIMARY KEY, deploy_id INTEGER NOT NULL, at INTEGER NOT NULL, phase TEXT NOT NULL, outcome TEXT NOT NULL,
            action TEXT NOT NULL, final INTEGER NOT NULL, summary TEXT NOT NULL, candidate_requests INTEGER NOT NULL,
            baseline_requests INTEGER NOT NULL, checks TEXT NOT NULL, enforced INTEGER NOT NULL);
        CREATE INDEX judge_verdicts_deploy ON judge_verdicts (deploy_id, id);
        """,
        """
        ALTER TABLE access_records ADD COLUMN bot INTEGER NOT NULL DEFAULT 0;
        """,
        // An environment's requests per minute and per hour, every host, release and route together: the
        // dashboard's graphs read one row per bucket however many hosts and routes there are. Same columns
        // as the detailed rollups (host, release, route and method empty), so the same upsert keeps them.
        """
        CREATE TABLE environment_minutes (
            app TEXT NOT NULL, environment TEXT NOT NULL, minute INTEGER NOT NULL, host TEXT NOT NULL, release TEXT NOT NULL,
            route TEXT NOT NULL, method TEXT NOT NULL, requests INTEGER NOT NULL, errors INTEGER NOT NULL, ms_sum REAL NOT NULL,
            hist TEXT NOT NULL,
            PRIMARY KEY (app, environment, minute, host, release, route, method)) WITHOUT ROWID;
        CREATE TABLE environment_hours (
            app TEXT NOT NULL, environment TEXT NOT NULL, minute INTEGER NOT NULL, host TEXT NOT NULL, release TEXT NOT NULL,
            route TEXT NOT NULL, method TEXT NOT NULL, requests INTEGER NOT NULL, errors INTEGER NOT NULL, ms_sum REAL NOT NULL,
            hist TEXT NOT NULL,
            PRIMARY KEY (app, environment, minute, host, release, route, method)) WITHOUT ROWID;
        CREATE INDEX environment_minutes_minute ON environment_minutes (minute);
        INSERT INTO environment_minutes
            SELECT app, environment, minute, '', '', '', '', SUM(requests), SUM(errors), SUM(ms_sum), hist_merge(hist)
            FROM request_minutes GROUP BY app, environment, minute;
        INSERT INTO environment_hours
            SELECT app, environment, minute, '', '', '', '', SUM(requests), SUM(errors), SUM(ms_sum), hist_merge(hist)
            FROM request_hours GROUP BY app, environment, minute;
        """,
        // Per route and release, every host together: "did this deploy hurt, per route" reads one row per
        // route and bucket, not one per host (a route of 300 hosts was 300 rows a minute).
        """
        CREATE TABLE route_minutes (
            app TEXT NOT NULL, environment TEXT NOT NULL, minute INTEGER NOT NULL, host TEXT NOT NULL, release TEXT NOT NULL,
            route TEXT NOT NULL, method TEXT NOT NULL, requests INTEGER NOT NULL, errors INTEGER NOT NULL, ms_sum REAL NOT NULL,
            hist TEXT NOT NULL,
            PRIMARY KEY (app, environment, minute, host, release, route, method)) WITHOUT ROWID;
        CREATE TABLE route_hours (
            app TEXT NOT NULL, environment TEXT NOT NULL, minute INTEGER NOT NULL, host TEXT NOT NULL, release TEXT NOT NULL,
            route TEXT NOT NULL, method TEXT NOT NULL, requests INTEGER NOT NULL, errors INTEGER NOT NULL, ms_sum REAL NOT NULL,
            hist TEXT NOT NULL,
            PRIMARY KEY (app, environment, minute, host, release, route, method)) WITHOUT ROWID;
        INSERT INTO route_minutes
            SELECT app, environment, minute, '', release, route, method, SUM(requests), SUM(errors), SUM(ms_sum), hist_merge(hist)
            FROM request_minutes GROUP BY app, environment, minute, release, route, method;
        INSERT INTO route_hours
            SELECT app, environment, minute, '', release, route, method, SUM(requests), SUM(errors), SUM(ms_sum), hist_merge(hist)
            FROM request_hours GROUP BY app, environment, minute, release, route, method;
        """,
        """
        ALTER TABLE hosts ADD COLUMN instances TEXT NOT NULL DEFAULT '[]';
        """,
        // The audit trail: append-only, each record chained to the one before by its hash.
        """
        CREATE TABLE audit (
            seq INTEGER PRIMARY KEY, at INTEGER NOT NULL, token_id TEXT NOT NULL, actor TEXT NOT NULL, role TEXT NOT NULL,
            address TEXT NOT NULL, user_agent TEXT NOT NULL, action TEXT NOT NULL, path TEXT NOT NULL, app TEXT, environment TEXT,
            parameters TEXT NOT NULL, status INTEGER NOT NULL, reason TEXT NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL);
        CREATE INDEX audit_at ON audit (at);
        """,
        // Freezes (one-off ranges or recurring windows in a zone) and deploys scheduled for later.
        """
        CREATE TABLE freezes (
            id INTEGER PRIMARY KEY AUTOINCREMENT, app TEXT NOT NULL, environment TEXT NOT NULL, from_at INTEGER, to_at INTEGER,
            every TEXT, zone TEXT, reason TEXT NOT NULL, created_by TEXT NOT NULL, created_at INTEGER NOT NULL);
        CREATE INDEX freezes_app ON freezes (app, environment);
        CREATE TABLE schedules (
            id INTEGER PRIMARY KEY AUTOINCREMENT, app TEXT NOT NULL, environment TEXT NOT NULL, version TEXT NOT NULL,
            canary TEXT, canary_hold INTEGER, run_at INTEGER NOT NULL, quiet INTEGER NOT NULL, requested_by TEXT NOT NULL,
            role TEXT NOT NULL, created_at INTEGER NOT NULL, state TEXT NOT NULL, deploy_id INTEGER, reason TEXT);
        CREATE INDEX schedules_due ON schedules (state, run_at);
        """,
        // Builds from source, their output, webhook deliveries seen (a redelivery never builds twice) and webhook secrets.
        """
        CREATE TABLE builds (
            id INTEGER PRIMARY KEY AUTOINCREMENT, app TEXT NOT NULL, ref TEXT NOT NULL, sha TEXT, environment TEXT, state TEXT NOT NULL,
            version TEXT, message TEXT, requested_by TEXT NOT NULL, trigger TEXT NOT NULL, created_at INTEGER NOT NULL,
            started_at INTEGER, finished_at INTEGER, deploy_id INTEGER, reason TEXT);
        CREATE INDEX builds_app ON builds (app, id);
        CREATE INDEX builds_state ON builds (state, id);
        CREATE TABLE build_logs (build_id INTEGER NOT NULL, seq INTEGER NOT NULL, at INTEGER NOT NULL, line TEXT NOT NULL, PRIMARY KEY (build_id, seq)) WITHOUT ROWID;
        CREATE TABLE hook_deliveries (
            provider TEXT NOT NULL, app TEXT NOT NULL, delivery TEXT NOT NULL, received_at INTEGER NOT NULL, PRIMARY KEY (provider, app, delivery)) WITHOUT ROWID;
        CREATE TABLE hook_secrets (app TEXT PRIMARY KEY, ciphertext TEXT NOT NULL, created_by TEXT NOT NULL, created_at INTEGER NOT NULL);
        """,
        // Notices to chat and webhooks, delivered from here with retries; the chat message each deploy edits in place.
        """
        CREATE TABLE outbox (
            id INTEGER PRIMARY KEY AUTOINCREMENT, target_key TEXT NOT NULL, target TEXT NOT NULL, app TEXT NOT NULL, environment TEXT NOT NULL,
            notice TEXT NOT NULL, payload TEXT NOT NULL, deploy_id INTEGER, state TEXT NOT NULL, attempts INTEGER NOT NULL,
            next_at INTEGER NOT NULL, last_error TEXT, created_at INTEGER NOT NULL, sent_at INTEGER);
        CREATE INDEX outbox_due ON outbox (state, next_at);
        CREATE INDEX outbox_target ON outbox (target_key, state, id);
        CREATE TABLE chat_messages (target_key TEXT NOT NULL, deploy_id INTEGER NOT NULL, channel TEXT NOT NULL, ts TEXT NOT NULL, PRIMARY KEY (target_key, deploy_id)) WITHOUT ROWID;
        """,
        // Builds handed to a host with the builder role name it.
        """
        ALTER TABLE builds ADD COLUMN host TEXT;
        """,
        // The version of each host's agent, as its polls say.
        """
        ALTER TABLE hosts ADD COLUMN agent_version TEXT;
        """,
        // The binary each agent runs (its platform and hash), and whether an admin asked it to upgrade.
        """
        ALTER TABLE hosts ADD COLUMN rid TEXT;
        ALTER TABLE hosts ADD COLUMN binary_sha256 TEXT;
        ALTER TABLE hosts ADD COLUMN upgrade_wanted INTEGER NOT NULL DEFAULT 0;
        """,
    ];
}
