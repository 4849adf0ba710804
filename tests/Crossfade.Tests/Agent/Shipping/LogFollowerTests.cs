using Crossfade.Agent.Shipping;

namespace Crossfade.Tests.Agent.Shipping;

public sealed class LogFollowerTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("cf-follow-").FullName;

    private string LogPath => Path.Combine(_dir, "app.log");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static List<string> Texts(List<(string Line, FileCursor After)> read) => read.Select(r => r.Line).ToList();

    [Fact]
    public void Read_TakesCompleteLinesOnly_AndTheRestOnceItsNewlineComes()
    {
        File.WriteAllText(LogPath, "one\ntwo\nthr");
        using var follower = new LogFollower(LogPath, null);

        Texts(follower.Read(100)).ShouldBe(["one", "two"]);
        File.AppendAllText(LogPath, "ee\nfour\n");
        Texts(follower.Read(100)).ShouldBe(["three", "four"]);
        follower.Read(100).ShouldBeEmpty();
    }

    [Fact]
    public void Read_AfterRotation_FinishesTheOldFileThenStartsTheNewOne()
    {
        File.WriteAllText(LogPath, "a\n");
        using var follower = new LogFollower(LogPath, null);
        Texts(follower.Read(100)).ShouldBe(["a"]);
        // logrotate: write more, rename away, start a new file.
        File.AppendAllText(LogPath, "b\n");
        File.Move(LogPath, LogPath + ".1");
        File.WriteAllText(LogPath, "c\n");

        Texts(follower.Read(100)).ShouldBe(["b", "c"]);
    }

    [Fact]
    public void Read_FromASavedCursor_WhenTheFileWasRotatedMeanwhile_FindsTheOldFileByItsInode()
    {
        File.WriteAllText(LogPath, "a\nb\n");
        FileCursor saved;
        using (var first = new LogFollower(LogPath, null))
            saved = first.Read(1).Single().After;
        File.Move(LogPath, LogPath + ".1");
        File.WriteAllText(LogPath, "c\n");

        using var restarted = new LogFollower(LogPath, saved);

        Texts(restarted.Read(100)).ShouldBe(["b", "c"]);
    }

    [Fact]
    public void Read_TruncatedInPlace_StartsAgainAtTheTop()
    {
        File.WriteAllText(LogPath, "long line one\nlong line two\n");
        using var follower = new LogFollower(LogPath, null);
        follower.Read(100).Count.ShouldBe(2);
        using (var f = new FileStream(LogPath, FileMode.Truncate))
            f.Write("x\n"u8);

        Texts(follower.Read(100)).ShouldBe(["x"]);
    }

    [Fact]
    public void Read_RespectsLineAndByteBudgets_WithoutLosingTheRest()
    {
        File.WriteAllLines(LogPath, Enumerable.Range(1, 10).Select(i => $"line {i}"));
        using var follower = new LogFollower(LogPath, null);

        Texts(follower.Read(3)).ShouldBe(["line 1", "line 2", "line 3"]);
        follower.Read(100, maxBytes: 10).Count.ShouldBe(2);
        Texts(follower.Read(100)).ShouldBe(Enumerable.Range(6, 5).Select(i => $"line {i}"));
    }

    [Fact]
    public void Read_InvalidUtf8AndAHugeLine_AreShippedNotStuck()
    {
        using (var f = File.Create(LogPath))
        {
            f.Write([0x66, 0xFF, 0xFE, 0x6F, (byte)'\n']);
            f.Write(new byte[(1 << 20) + 10].Select(_ => (byte)'x').ToArray());
            f.Write("\nafter\n"u8);
        }
        using var follower = new LogFollower(LogPath, null);

        var lines = Texts(follower.Read(100));

        lines[0].ShouldBe("f\uFFFD\uFFFDo");
        lines.Skip(1).SkipLast(1).Sum(l => l.Length).ShouldBe((1 << 20) + 10);
        lines[^1].ShouldBe("after");
    }
}
