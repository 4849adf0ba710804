using Crossfade.Agent.Shipping;
using Crossfade.Contracts.V1;

namespace Crossfade.Tests.Agent.Shipping;

public sealed class SpoolTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("cf-spool-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static LogBatch Batch(long seq, int lines) =>
        new(seq, 0, Enumerable.Range(0, lines).Select(i => new ShippedLine("shop", "app", "web.log", $"line {seq}.{i} {new string('x', 200)}", DateTimeOffset.UnixEpoch)).ToList());

    [Fact]
    public void Recover_AfterACrashBetweenCursorsAndRename_KeepsTheBatchTheCursorsAlreadyCount()
    {
        var spool = new Spool(_dir, 1 << 30);
        spool.Write(Batch(1, 3), [new FileCursor("/x/web.log", 7, 300)]);
        // A crash right after the cursors were saved: the batch is still the temporary file.
        var batch = spool.Batches().Single().Path;
        File.Move(batch, batch + ".tmp");
        File.WriteAllText(Path.Combine(_dir, "000000000009-1.json.gz.tmp"), "never counted by the cursors");

        var recovered = new Spool(_dir, 1 << 30).Recover();

        recovered.Seq.ShouldBe(1);
        recovered.Cursors.ShouldHaveSingleItem().Offset.ShouldBe(300);
        new Spool(_dir, 1 << 30).Batches().Select(b => b.Seq).ShouldBe([1L]);
        Directory.EnumerateFiles(_dir, "*.tmp").ShouldBeEmpty();
    }

    [Fact]
    public void Write_OverTheBound_DropsTheOldestBatchesAndCountsTheirLines()
    {
        var spool = new Spool(_dir, maxBytes: 2_000);
        for (var seq = 1; seq <= 20; seq++)
            spool.Write(Batch(seq, 50), []);

        // Within the bound, give or take the newest batch, which always stays.
        spool.SizeBytes.ShouldBeLessThanOrEqualTo(2_000 + new FileInfo(spool.Batches()[^1].Path).Length);
        spool.Batches()[^1].Seq.ShouldBe(20);
        spool.Dropped.ShouldBe((20 - spool.Batches().Count) * 50);
    }
}
