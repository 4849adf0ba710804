namespace Crossfade.Server.Storage;

// Rows as Dapper reads them from SQLite: times are Unix milliseconds, mapped to records in SqliteStore.
internal sealed class DeployRow
{
    public long id { get; set; }
    public string app { get; set; } = "";
    public string environment { get; set; } = "";
    public string kind { get; set; } = "";
    public string version { get; set; } = "";
    public string? from_version { get; set; }
    public string state { get; set; } = "";
    public string requested_by { get; set; } = "";
    public string trigger { get; set; } = "";
    public long created_at { get; set; }
    public long? finished_at { get; set; }
    public string? reason { get; set; }
    public string? owner { get; set; }
    public string? canary { get; set; }
    public long? canary_hold { get; set; }
    public string? config { get; set; }
}

internal sealed class StepRow
{
    public long id { get; set; }
    public long deploy_id { get; set; }
    public string host { get; set; } = "";
    public string kind { get; set; } = "";
    public string payload { get; set; } = "";
    public string status { get; set; } = "";
    public long? started_at { get; set; }
    public long? ended_at { get; set; }
    public string? message { get; set; }
    public string? report { get; set; }
}

internal sealed class SecretRow
{
    public string app { get; set; } = "";
    public string environment { get; set; } = "";
    public string name { get; set; } = "";
    public string ciphertext { get; set; } = "";
    public long updated_at { get; set; }
    public string updated_by { get; set; } = "";
}

internal sealed class ReleaseRow
{
    public string app { get; set; } = "";
    public string version { get; set; } = "";
    public string sha256 { get; set; } = "";
    public long size_bytes { get; set; }
    public string? commit_sha { get; set; }
    public string? message { get; set; }
    public string created_by { get; set; } = "";
    public long created_at { get; set; }
}

internal sealed class HostRow
{
    public string name { get; set; } = "";
    public string roles { get; set; } = "";
    public long enrolled_at { get; set; }
    public long? last_seen { get; set; }
    public string live_releases { get; set; } = "{}";
    public string instances { get; set; } = "[]";
    public string? agent_version { get; set; }
    public string? rid { get; set; }
    public string? binary_sha256 { get; set; }
    public long upgrade_wanted { get; set; }
}

internal sealed class LogRow
{
    public long seq { get; set; }
    public long step_id { get; set; }
    public long at { get; set; }
    public string line { get; set; } = "";
}

internal sealed class AuditRow
{
    public long seq { get; set; }
    public long at { get; set; }
    public string token_id { get; set; } = "";
    public string actor { get; set; } = "";
    public string role { get; set; } = "";
    public string address { get; set; } = "";
    public string user_agent { get; set; } = "";
    public string action { get; set; } = "";
    public string path { get; set; } = "";
    public string? app { get; set; }
    public string? environment { get; set; }
    public string parameters { get; set; } = "{}";
    public long status { get; set; }
    public string reason { get; set; } = "";
    public string prev_hash { get; set; } = "";
    public string hash { get; set; } = "";
}

internal sealed class BuildRow
{
    public long id { get; set; }
    public string app { get; set; } = "";
    public string @ref { get; set; } = "";
    public string? sha { get; set; }
    public string? environment { get; set; }
    public string state { get; set; } = "";
    public string? version { get; set; }
    public string? message { get; set; }
    public string requested_by { get; set; } = "";
    public string trigger { get; set; } = "";
    public long created_at { get; set; }
    public long? started_at { get; set; }
    public long? finished_at { get; set; }
    public long? deploy_id { get; set; }
    public string? reason { get; set; }
    public string? host { get; set; }
}

internal sealed class OutboxRow
{
    public long id { get; set; }
    public string target_key { get; set; } = "";
    public string target { get; set; } = "";
    public string app { get; set; } = "";
    public string environment { get; set; } = "";
    public string notice { get; set; } = "";
    public string payload { get; set; } = "";
    public long? deploy_id { get; set; }
    public string state { get; set; } = "";
    public long attempts { get; set; }
    public long next_at { get; set; }
    public string? last_error { get; set; }
    public long created_at { get; set; }
    public long? sent_at { get; set; }
}
