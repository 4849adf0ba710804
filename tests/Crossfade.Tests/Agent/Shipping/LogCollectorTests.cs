using Crossfade.Core.Config;
using Crossfade.Agent.Instances;
using Crossfade.Agent.Shipping;
using Crossfade.Contracts.V1;

namespace Crossfade.Tests.Agent.Shipping;

public sealed class LogCollectorTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("cf-collect-").FullName;
    private readonly string _outside = Directory.CreateTempSubdirectory("cf-collect-var-").FullName;
    private readonly Clock _clock = new();

    private sealed class Clock : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = DateTimeOffset.Parse("2026-11-22T10:00:00Z");

        public override DateTimeOffset GetUtcNow() => Now;
    }

    public void Dispose()
    {
        Directory.Delete(_root, recursive: true);
        Directory.Delete(_outside, recursive: true);
    }

    private string AppPath(params string[] parts) => Path.Combine([_root, "apps", "shop", .. parts]);

    private HostStateStore State(params string[] logFiles)
    {
        var store = new HostStateStore(Path.Combine(_root, "state.json"));
        store.Update(s => s.For("shop").Runtime = new AppRuntime("./run", null, null, "/health", 30, 8080, 10, 5, [], new Dictionary<string, string>(), LogFiles: logFiles));
        return store;
    }

    private static void Write(string path, string text)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.AppendAllText(path, text);
    }

    [Fact]
    public void Collect_FollowsSharedLogAndTheSpecsFiles_InsideAndOutsideTheAppFolder_EachOnce()
    {
        Write(AppPath("shared", "log", "access.log"), """{"status":200}""" + "\n");
        Write(AppPath("shared", "log", "web-1.0.0.log"), "info: started\n");
        Write(AppPath("shared", "data", "payments.log"), "payment provider error: order 7\n");
        Write(AppPath("shared", "data", "payments.txt"), "not matched by the pattern\n");
        Write(Path.Combine(_outside, "audit-1.log"), "audit one\n");
        Write(Path.Combine(_outside, "audit-2.log"), "audit two\n");
        using var collector = new LogCollector(_root, State("shared/data/*.log", Path.Combine(_outside, "audit-?.log"), "shared/log/web-1.0.0.log"), _clock);
        var cursors = new Dictionary<string, FileCursor>();

        collector.Collect(cursors, 100, 1 << 20);
        _clock.Now += LogCollector.HoldFor;
        var lines = collector.Collect(cursors, 100, 1 << 20);

        lines.Select(l => (l.File, l.Source, l.Text)).Order().ShouldBe(new[]
        {
            (Path.Combine(_outside, "audit-1.log"), LineSources.App, "audit one"),
            (Path.Combine(_outside, "audit-2.log"), LineSources.App, "audit two"),
            ("shared/data/payments.log", LineSources.App, "payment provider error: order 7"),
            ("web-1.0.0.log", LineSources.App, "info: started"),
        }.Order(), "access records go at once; each app log's last entry waits for what may follow it");
        cursors.Keys.ShouldNotContain(AppPath("shared", "data", "payments.txt"));
    }

    [Fact]
    public void Collect_AStackTraceWrittenInPieces_TravelsAsOneEntryInOneBatch()
    {
        var log = AppPath("shared", "log", "web-2.0.0.log");
        Write(log, "info: checkout\nfail: System.InvalidOperationException: boom\n");
        using var collector = new LogCollector(_root, State(), _clock);
        var cursors = new Dictionary<string, FileCursor>();

        var first = collector.Collect(cursors, 100, 1 << 20);
        Write(log, "   at Shop.Checkout()\n");
        _clock.Now += TimeSpan.FromMilliseconds(500);
        var second = collector.Collect(cursors, 100, 1 << 20);
        Write(log, "   at Shop.Main()\ninfo: next request\n");
        var third = collector.Collect(cursors, 100, 1 << 20);

        first.Select(l => l.Text).ShouldBe(["info: checkout"]);
        second.ShouldBeEmpty("the exception may not be complete yet");
        third.Select(l => l.Text).ShouldBe(["fail: System.InvalidOperationException: boom", "   at Shop.Checkout()", "   at Shop.Main()"]);
        cursors[log].Offset.ShouldBe(new FileInfo(log).Length - "info: next request\n".Length, "the held entry is not counted as read");
    }

    [Fact]
    public void Collect_AHeldEntry_GoesAfterItsWait_AndARestartReadsItAgainNotLosingIt()
    {
        var log = AppPath("shared", "log", "web-2.0.0.log");
        Write(log, "fail: boom\n   at Shop.Pay()\n");
        var cursors = new Dictionary<string, FileCursor>();
        using (var crashed = new LogCollector(_root, State(), _clock))
            crashed.Collect(cursors, 100, 1 << 20).ShouldBeEmpty();
        cursors.ShouldBeEmpty("nothing counted as read while the entry is held");

        using var restarted = new LogCollector(_root, State(), _clock);
        restarted.Collect(cursors, 100, 1 << 20).ShouldBeEmpty();
        _clock.Now += LogCollector.HoldFor;
        var lines = restarted.Collect(cursors, 100, 1 << 20);

        lines.Select(l => l.Text).ShouldBe(["fail: boom", "   at Shop.Pay()"]);
        cursors[log].Offset.ShouldBe(new FileInfo(log).Length);
    }

    [Fact]
    public void Collect_LinesHoldingASecret_ShipItMasked()
    {
        var masks = new Crossfade.Agent.Secrets.SecretMasks(_root);
        masks.Remember("shop", ["pk_9f8e7d6c5b4a"]);
        Write(AppPath("shared", "log", "access.log"), """{"path":"/pay?key=pk_9f8e7d6c5b4a","status":200}""" + "\n");
        Write(AppPath("shared", "log", "web-1.0.0.log"), "info: using key pk_9f8e7d6c5b4a\n");
        using var collector = new LogCollector(_root, State(), _clock, masks);
        var cursors = new Dictionary<string, FileCursor>();
        var lines = collector.Collect(cursors, 100, 1 << 20);
        _clock.Now += LogCollector.HoldFor;

        lines.AddRange(collector.Collect(cursors, 100, 1 << 20));

        lines.Count.ShouldBe(2);
        lines.ShouldAllBe(l => !l.Text.Contains("pk_9f8e7d6c5b4a"));
        lines.ShouldContain(l => l.Text == "info: using key " + Redactor.Mask);
    }
}
