using Crossfade.Cli;
using Crossfade.Commands;
using Crossfade.Contracts.V1;

namespace Crossfade.IntegrationTests.CommandLine;

/// <summary>What the CLI prints from elsewhere (build output, audit records) cannot drive the terminal or fake a line.</summary>
public sealed class PrintedTextIsSafe
{
    [Fact]
    public void EscapesLineBreaksAndOverrides_BecomeMarks_TabsStay()
    {
        Terminal.Safe("ok\t\u001b[2J\u001b]0;pwned\u0007\r\nFAKE\u202Eevil").ShouldBe("ok\t?[2J?]0;pwned???FAKE?evil");
    }

    [Fact]
    public void AnAuditRecord_PrintsOnItsOwnLines_Only()
    {
        var record = new AuditRecordView(7, DateTimeOffset.UnixEpoch, "", "github:ana\n#8 admin", "", "127.0.0.1", "",
            "POST /hooks/github/{app}", "/hooks/github/shop", "shop", "prod\u001b[31m", new Dictionary<string, string> { ["ref"] = "refs/heads/main" },
            202, "ok", "queued\nline", "hash");

        var printed = AuditCommand.Line(record).Split('\n');

        printed.Length.ShouldBe(2);
        printed[0].ShouldContain("github:ana?#8 admin");
        printed[0].ShouldContain("env=prod?[31m");
        printed[1].Trim().ShouldBe("queued?line");
    }
}
