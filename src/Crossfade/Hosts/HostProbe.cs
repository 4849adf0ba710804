using System.Globalization;

namespace Crossfade.Hosts;

/// <summary>What a host is, as one script run over SSH finds it: system, architecture, free disk, whether the proxy port is taken, and what of Crossfade is there already.</summary>
public sealed record HostProbe(
    string Os, string Machine, bool Root, bool Systemd, long FreeBytes, bool PortBusy, bool UserExists, bool FoldersExist,
    string? BinarySha256, bool Enrolled, bool Running)
{
    /// <summary>The platform of the binary it needs; null for one Crossfade is not built for.</summary>
    public string? Rid => Os != "Linux" ? null : Machine switch
    {
        "x86_64" or "amd64" => "linux-x64",
        "aarch64" or "arm64" => "linux-arm64",
        _ => null,
    };

    public static string Script(HostPlan plan)
    {
        var port = plan.ProxyPort ?? 0;
        return $$"""
            echo "os=$(uname -s)"; echo "machine=$(uname -m)"; echo "uid=$(id -u)"
            if [ -d /run/systemd/system ]; then echo systemd=yes; else echo systemd=no; fi
            d={{SshLink.Quote(plan.Prefix.Length == 0 ? "/" : plan.Prefix)}}; while [ ! -d "$d" ]; do d=$(dirname "$d"); done
            echo "free_kb=$(df -Pk "$d" | awk 'NR==2 {print $4}')"
            busy=0
            if [ {{port}} -gt 0 ]; then
              hex=$(printf '%04X' {{port}})
              for f in /proc/net/tcp /proc/net/tcp6; do [ -r $f ] && awk -v p=":$hex" '$4 == "0A" && substr($2, length($2) - 4) == p {found=1} END {exit !found}' $f && busy=1; done
            fi
            echo "port_busy=$busy"
            if id -u {{SshLink.Quote(plan.User)}} >/dev/null 2>&1; then echo user=yes; else echo user=no; fi
            if [ -d {{SshLink.Quote(plan.BinaryDir)}} ] && [ -d {{SshLink.Quote(plan.Root)}} ] && [ -d {{SshLink.Quote(plan.LogDir)}} ]; then echo folders=yes; else echo folders=no; fi
            echo "binary=$(sha256sum {{SshLink.Quote(plan.Binary)}} 2>/dev/null | cut -d' ' -f1)"
            if [ -f {{SshLink.Quote(plan.AgentToken)}} ]; then echo enrolled=yes; else echo enrolled=no; fi
            running=no
            if [ -d /run/systemd/system ] && [ -z {{SshLink.Quote(plan.Prefix)}} ]; then systemctl is-active --quiet crossfade-agent && running=yes
            else p=$(cat {{SshLink.Quote(plan.SupervisorPid)}} 2>/dev/null); case "$p" in ''|*[!0-9]*|0|1) ;; *) kill -0 "$p" 2>/dev/null && running=yes ;; esac; fi
            echo "running=$running"
            """;
    }

    public static HostProbe Read(string output)
    {
        var found = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(l => l.Split('=', 2)).Where(p => p.Length == 2).GroupBy(p => p[0]).ToDictionary(g => g.Key, g => g.Last()[1]);
        string Get(string key) => found.GetValueOrDefault(key, "");
        return new HostProbe(Get("os"), Get("machine"), Get("uid") == "0", Get("systemd") == "yes",
            long.TryParse(Get("free_kb"), NumberStyles.None, CultureInfo.InvariantCulture, out var kb) ? kb * 1024 : 0,
            Get("port_busy") == "1", Get("user") == "yes", Get("folders") == "yes",
            Get("binary") is { Length: 64 } sha ? sha : null, Get("enrolled") == "yes", Get("running") == "yes");
    }
}
