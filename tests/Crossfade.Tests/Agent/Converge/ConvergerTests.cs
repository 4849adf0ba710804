using Crossfade.Core.Config;
using Crossfade.Agent.Converge;
using Crossfade.Agent.Steps;
using Crossfade.Contracts.V1;

namespace Crossfade.Tests.Agent.Converge;

public sealed class ConvergerTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("cf-converge-").FullName;
    private int _reloads;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static ConvergeResource File(string path, string content, string? mode = null, params string[] notifies) =>
        new($"file[{path}]", ResourceTypes.File, path, Content: content, Mode: mode, Notifies: notifies);

    private static ConvergeResource Dir(string path, string? mode = null) => new($"directory[{path}]", ResourceTypes.Directory, path, Mode: mode);

    private static ConvergeResource Link(string path, string target) => new($"link[{path}]", ResourceTypes.Link, path, Target: target);

    private static ConvergeResource Command(string name, string run, string? creates = null, string? unless = null, string? onlyIf = null, bool onlyWhenNotified = false) =>
        new($"command[{name}]", ResourceTypes.Command, name, Run: run, Creates: creates, Unless: unless, OnlyIf: onlyIf, OnlyWhenNotified: onlyWhenNotified);

    private static List<ConvergeResource> Everything(string banner) =>
    [
        Dir("settings", "0750"),
        File("settings/app.json", $"{{\"banner\": \"{banner}\"}}\n", "0640", "reload", "command:reload-edge"),
        Dir("edge"),
        File("edge/limits.conf", "max_body 512k;\n", null, "command:reload-edge"),
        Link("edge/active.conf", "limits.conf"),
        Command("reload-edge", "echo reloaded >> edge/reloads.log", onlyWhenNotified: true),
        Command("seed", "mkdir -p cache && touch cache/.seeded", creates: "cache/.seeded"),
        Command("index", "echo indexed >> indexed.log", unless: "grep -q indexed indexed.log"),
        Command("only-if-edge", "echo edge > edge-seen.txt", onlyIf: "test -d edge && test ! -f edge-seen.txt"),
    ];

    private Task<ConvergeReport> RunAsync(IReadOnlyList<ConvergeResource> resources, bool whyRun, string reloadMode = ReloadModes.Now, IReadOnlyList<string>? redact = null, StepLog? log = null) =>
        Converger.RunAsync("web-1", new ConvergePlan(resources, whyRun, reloadMode, redact ?? []), _dir, new Dictionary<string, string>(),
            log ?? new StepLog(TimeProvider.System), _ => { _reloads++; return Task.FromResult<string?>(null); }, CancellationToken.None);

    [Fact]
    public async Task RunAsync_SecondConvergeRightAfterTheFirst_ChangesNothingOnAnyResourceType()
    {
        var first = await RunAsync(Everything("hello"), whyRun: false);
        first.Changed.ShouldBe(9);
        var second = await RunAsync(Everything("hello"), whyRun: false);

        second.Resources.Where(r => r.Status == ResourceStatus.Changed).ShouldBeEmpty();
        second.Notified.ShouldBeEmpty();
        second.Resources.Select(r => r.Id).ShouldBe(Everything("hello").Select(r => r.Id));
        System.IO.File.ReadAllLines(Path.Combine(_dir, "edge", "reloads.log")).Length.ShouldBe(1);
        System.IO.File.ReadAllLines(Path.Combine(_dir, "indexed.log")).Length.ShouldBe(1);
    }

    public static TheoryData<string> Scenarios => ["fresh host", "drifted host", "converged host", "template changed"];

    [Theory]
    [MemberData(nameof(Scenarios))]
    public async Task WhyRun_PredictsExactlyTheChangesTheRealConvergeMakes(string scenario)
    {
        await ArrangeAsync(scenario);
        var before = Snapshot();

        var predicted = await RunAsync(Everything("sale today"), whyRun: true);
        Snapshot().ShouldBe(before, "why-run changed something on the host");
        var reloadsBefore = _reloads;
        var actual = await RunAsync(Everything("sale today"), whyRun: false);

        Normalize(predicted).ShouldBe(Normalize(actual));
        predicted.Notified.ShouldBe(actual.Notified);
        (_reloads - reloadsBefore).ShouldBe(actual.Notified.Contains("reload") ? 1 : 0);
    }

    private async Task ArrangeAsync(string scenario)
    {
        switch (scenario)
        {
            case "drifted host":
                await RunAsync(Everything("sale today"), whyRun: false);
                System.IO.File.WriteAllText(Path.Combine(_dir, "edge", "limits.conf"), "max_body 1k; # edited by hand\n");
                System.IO.File.SetUnixFileMode(Path.Combine(_dir, "settings", "app.json"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);
                System.IO.File.Delete(Path.Combine(_dir, "edge", "active.conf"));
                System.IO.File.CreateSymbolicLink(Path.Combine(_dir, "edge", "active.conf"), "/etc/hostname");
                System.IO.File.Delete(Path.Combine(_dir, "cache", ".seeded"));
                break;
            case "converged host":
                await RunAsync(Everything("sale today"), whyRun: false);
                break;
            case "template changed":
                await RunAsync(Everything("no sale"), whyRun: false);
                break;
        }
    }

    /// <summary>What a report says, with why-run's wording ("would change: ...") and the real one's lined up.</summary>
    private static List<string> Normalize(ConvergeReport report) =>
        report.Resources.Select(r => $"{r.Id} {r.Status} {Strip(r.Detail)} {r.Diff}").ToList();

    private static string? Strip(string? detail) =>
        detail?.Replace("would change: ", "").Replace("would run: ", "ran: ");

    private List<string> Snapshot() =>
        Directory.EnumerateFileSystemEntries(_dir, "*", SearchOption.AllDirectories).Order().Select(p =>
        {
            var info = new FileInfo(p);
            var what = info.LinkTarget is { } target ? $"-> {target}"
                : Directory.Exists(p) ? $"dir {System.IO.File.GetUnixFileMode(p)}"
                : $"{System.IO.File.GetUnixFileMode(p)} {System.IO.File.ReadAllText(p)}";
            return $"{Path.GetRelativePath(_dir, p)} {what}";
        }).ToList();

    [Fact]
    public async Task RunAsync_ChangedFile_ReportsAUnifiedDiffAndTheModeChange()
    {
        await RunAsync([File("a.conf", "one\ntwo\nthree\n", "0600")], whyRun: false);

        var report = await RunAsync([File("a.conf", "one\n2\nthree\n", "0644")], whyRun: false);

        var file = report.Resources.ShouldHaveSingleItem();
        file.Status.ShouldBe(ResourceStatus.Changed);
        file.Detail.ShouldBe($"content, mode 0600 -> 0644 of {Path.Combine(_dir, "a.conf")}");
        file.Diff.ShouldBe("--- a.conf\n+++ a.conf\n@@ -1,3 +1,3 @@\n one\n-two\n+2\n three\n");
        System.IO.File.GetUnixFileMode(Path.Combine(_dir, "a.conf")).ShouldBe(FileModes.Parse("0644"));
    }

    [Fact]
    public async Task RunAsync_FolderInTheWayOfAFile_FailsThere_RunsNothingAfter_NotifiesNothing()
    {
        Directory.CreateDirectory(Path.Combine(_dir, "edge", "limits.conf"));

        var report = await RunAsync(Everything("x"), whyRun: false);

        var failed = report.Resources.Single(r => r.Status == ResourceStatus.Failed);
        failed.Id.ShouldBe("file[edge/limits.conf]");
        failed.Detail!.ShouldContain("is a folder, not a file");
        report.Resources.SkipWhile(r => r.Id != failed.Id).Skip(1).ShouldAllBe(r => r.Status == ResourceStatus.Skipped && r.Detail!.StartsWith("not reached"));
        report.Notified.ShouldBeEmpty();
        _reloads.ShouldBe(0);
        System.IO.File.Exists(Path.Combine(_dir, "edge", "reloads.log")).ShouldBeFalse();
    }

    [Fact]
    public async Task RunAsync_SecretValues_AreMaskedInDiffsDetailsAndOutput()
    {
        const string secret = "sk_live_0123456789abcdef";
        await RunAsync([File("key.conf", "key=old\n")], whyRun: false);
        var log = new StepLog(TimeProvider.System);

        var report = await RunAsync(
            [File("key.conf", $"key={secret}\n"), Command("show", $"echo using {secret}")],
            whyRun: false, redact: [secret], log: log);

        System.IO.File.ReadAllText(Path.Combine(_dir, "key.conf")).ShouldContain(secret);
        var everything = string.Join("\n", report.Resources.Select(r => $"{r.Detail} {r.Diff}")) + string.Join("\n", log.Drain().Select(l => l.Line));
        everything.ShouldNotContain(secret);
        everything.ShouldContain("+key=[redacted]");
        everything.ShouldContain("using [redacted]");
    }

    [Fact]
    public async Task RunAsync_RotatedSecretWhoseOldValueTheHostWasNeverTold_IsMaskedOnBothSidesOfTheDiff()
    {
        System.IO.File.WriteAllText(Path.Combine(_dir, "pay.json"), "{\n  \"host\": \"web-1\",\n  \"key\": \"typed-in-by-hand-0042\"\n}\n");

        var report = await RunAsync([File("pay.json", "{\n  \"host\": \"web-1\",\n  \"key\": \"sk_new_value_123456\"\n}\n")], whyRun: false, redact: ["sk_new_value_123456"]);

        var diff = report.Resources.Single().Diff!;
        diff.ShouldNotContain("typed-in-by-hand-0042");
        diff.ShouldContain("-  \"key\": \"[redacted]\"\n+  \"key\": \"[redacted]\"");
        diff.ShouldContain(" \"host\": \"web-1\",");
    }

    [Fact]
    public async Task RunAsync_ReloadDuringADeploy_IsLeftToTheCutover()
    {
        var report = await RunAsync([File("a.conf", "x", null, "reload")], whyRun: false, reloadMode: ReloadModes.ByCutover);

        report.Notified.ShouldBe(["reload"]);
        _reloads.ShouldBe(0);
    }

    [Fact]
    public async Task RunAsync_CommandThatFails_IsReportedWithItsExitCodeAndOutput()
    {
        var report = await RunAsync([Command("broken", "echo cannot reach the registry; exit 3")], whyRun: false);

        var failed = report.Resources.ShouldHaveSingleItem();
        failed.Status.ShouldBe(ResourceStatus.Failed);
        failed.Detail!.ShouldContain("exited with code 3");
        failed.Detail!.ShouldContain("cannot reach the registry");
    }
}
