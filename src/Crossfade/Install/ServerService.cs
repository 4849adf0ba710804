using System.Globalization;

namespace Crossfade.Install;

/// <summary>
/// What <c>crossfade server install</c> sets up on the server's machine: the system user the server runs as,
/// its data folder (that user's, mode 750), and a systemd unit that starts the server with its options at
/// boot and again whenever it stops.
/// </summary>
public sealed record ServerService(
    IReadOnlyList<string> Command, string User, string DataDir, string Urls, string? TlsCert, string? TlsKey, string? Binaries, string? PublicUrl, string UnitDir)
{
    public const string UnitName = "crossfade-server.service";

    public string UnitPath => Path.Combine(UnitDir, UnitName);

    /// <summary>The server's command line: every word plain (systemd and the shell read it the same way), or refused naming the word.</summary>
    public string ExecStart()
    {
        var words = Command.Concat(["server", "--data", DataDir, "--urls", Urls])
            .Concat(TlsCert is null ? [] : ["--tls-cert", TlsCert])
            .Concat(TlsKey is null ? [] : ["--tls-key", TlsKey])
            .Concat(Binaries is null ? [] : ["--binaries", Binaries])
            .Concat(PublicUrl is null ? [] : ["--public-url", PublicUrl])
            .ToList();
        foreach (var word in words)
            if (word.Length == 0 || !word.All(Plain))
                throw new ArgumentException($"'{word}' cannot go into the unit's command line: use letters, digits and / . _ - : , [ ] + = @ only");
        return string.Join(' ', words);
    }

    private static bool Plain(char c) => char.IsAsciiLetterOrDigit(c) || c is '/' or '.' or '_' or '-' or ':' or ',' or '[' or ']' or '+' or '=' or '@';

    public string Unit() => string.Create(CultureInfo.InvariantCulture, $"""
        # Written by 'crossfade server install'; written again when it runs with other options.
        [Unit]
        Description=Crossfade server
        After=network-online.target
        Wants=network-online.target

        [Service]
        User={User}
        ExecStart={ExecStart()}
        WorkingDirectory={DataDir}
        Restart=always
        RestartSec=2
        # A deploy in flight when the server stops is taken up again by the next start.
        TimeoutStopSec=30
        # Ports under 1024 (443) without running as root.
        AmbientCapabilities=CAP_NET_BIND_SERVICE
        NoNewPrivileges=true
        LimitNOFILE=65536

        [Install]
        WantedBy=multi-user.target

        """);
}
