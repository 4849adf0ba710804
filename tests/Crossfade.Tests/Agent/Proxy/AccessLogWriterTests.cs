using System.Text.Json;
using Crossfade.Agent.Proxy;

namespace Crossfade.Tests.Agent.Proxy;

public sealed class AccessLogWriterTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("cf-accesslog-").FullName;

    private string LogPath => Path.Combine(_dir, "log", "access.log");

    private static AccessRecord Record(string path, int n) =>
        new(DateTimeOffset.UnixEpoch.AddSeconds(n), "GET", path, 200, n / 7.0, n, "r1", "127.0.0.1");

    [Fact]
    public async Task RecordsFromManyThreads_AreEachWrittenOnce_AsAJsonLine_SoonAfter()
    {
        var writer = new AccessLogWriter(LogPath);
        await Task.WhenAll(Enumerable.Range(0, 4).Select(t => Task.Run(() =>
        {
            for (var i = 0; i < 2500; i++)
                writer.Add(Record($"/t{t}", i));
        })));

        // Written by the writer's own beat, before anything is disposed.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (DateTime.UtcNow < deadline && (!File.Exists(LogPath) || File.ReadLines(LogPath).Count() < 10_000))
            await Task.Delay(50);
        await writer.DisposeAsync();

        var lines = File.ReadAllLines(LogPath);
        lines.Length.ShouldBe(10_000);
        writer.Dropped.ShouldBe(0);
        foreach (var t in Enumerable.Range(0, 4))
        {
            var bytes = lines.Select(l => JsonDocument.Parse(l).RootElement).Where(e => e.GetProperty("path").GetString() == $"/t{t}")
                .Select(e => e.GetProperty("bytes").GetInt64()).ToList();
            bytes.ShouldBe(Enumerable.Range(0, 2500).Select(i => (long)i).ToList(), $"thread {t}: each record once, in order");
        }
    }

    [Fact]
    public async Task AHostilePath_StaysOneEscapedLine()
    {
        var writer = new AccessLogWriter(LogPath);
        writer.Add(Record("/a\"b\n{\"status\":500}", 1));
        await writer.DisposeAsync();

        var line = File.ReadAllLines(LogPath).ShouldHaveSingleItem();
        var record = JsonDocument.Parse(line).RootElement;
        record.GetProperty("path").GetString().ShouldBe("/a\"b\n{\"status\":500}");
        record.GetProperty("status").GetInt32().ShouldBe(200);
        record.GetProperty("ts").GetDateTimeOffset().ShouldBe(DateTimeOffset.UnixEpoch.AddSeconds(1));
    }

    [Fact]
    public async Task AFullQueue_DropsAndCountsRecords_NeverBlocks()
    {
        var writer = new AccessLogWriter(LogPath, capacity: 10);
        for (var i = 0; i < 1000; i++)
            writer.Add(Record("/x", i));
        await writer.DisposeAsync();

        var written = File.ReadAllLines(LogPath).Length;
        writer.Dropped.ShouldBeGreaterThan(0);
        (written + writer.Dropped).ShouldBe(1000);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
