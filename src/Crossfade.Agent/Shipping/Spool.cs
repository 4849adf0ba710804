using System.Globalization;
using System.IO.Compression;
using System.Text.Json;
using Crossfade.Contracts.V1;

namespace Crossfade.Agent.Shipping;

/// <summary>
/// The on-disk buffer between reading lines and the server taking them: one gzip file per batch,
/// named by its sequence number and line count, with the read cursors saved beside it. A batch is
/// written to a temporary file, then the cursors (with its sequence number), then the batch is
/// renamed into place; recovery finishes or undoes a batch caught half way, so a line is shipped
/// once, whatever moment the agent dies. Over its size bound, the oldest batches are dropped and
/// counted.
/// </summary>
public sealed class Spool(string dir, long maxBytes)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly string _cursorsPath = Path.Combine(dir, "cursors.json");
    private long _dropped;

    public string Dir { get; } = Directory.CreateDirectory(dir).FullName;

    /// <summary>Lines dropped to keep within the size bound and not yet reported to the server.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    public void Reported(long count) => Interlocked.Add(ref _dropped, -count);

    public sealed record SavedCursors(long Seq, IReadOnlyList<FileCursor> Cursors);

    /// <summary>Finishes or undoes a batch caught half way, and returns the cursors and the last sequence number.</summary>
    public SavedCursors Recover()
    {
        var saved = File.Exists(_cursorsPath) ? JsonSerializer.Deserialize<SavedCursors>(File.ReadAllText(_cursorsPath), Json)! : new SavedCursors(0, []);
        foreach (var temp in Directory.EnumerateFiles(Dir, "*.tmp"))
        {
            var seq = long.Parse(Path.GetFileName(temp).Split('-')[0], CultureInfo.InvariantCulture);
            if (seq <= saved.Seq)
                File.Move(temp, temp[..^4], overwrite: true);
            else
                File.Delete(temp);
        }
        var newest = Batches().Select(b => b.Seq).DefaultIfEmpty(0).Max();
        return saved with { Seq = Math.Max(saved.Seq, newest) };
    }

    public void Write(LogBatch batch, IReadOnlyList<FileCursor> cursorsAfter)
    {
        var final = Path.Combine(Dir, $"{batch.Seq:D12}-{batch.Lines.Count}.json.gz");
        var temp = final + ".tmp";
        using (var file = new FileStream(temp, FileMode.Create, FileAccess.Write))
        {
            using (var gzip = new GZipStream(file, CompressionLevel.Fastest, leaveOpen: true))
                JsonSerializer.Serialize(gzip, batch, Json);
            file.Flush(flushToDisk: true);
        }
        var cursorsTemp = _cursorsPath + ".next";
        File.WriteAllText(cursorsTemp, JsonSerializer.Serialize(new SavedCursors(batch.Seq, cursorsAfter), Json));
        File.Move(cursorsTemp, _cursorsPath, overwrite: true);
        File.Move(temp, final);
        Trim();
    }

    /// <summary>The batches waiting, oldest first.</summary>
    public List<(long Seq, int Lines, string Path)> Batches() =>
        Directory.EnumerateFiles(Dir, "*.json.gz")
            .Select(p => (Name: Path.GetFileName(p), Path: p))
            .Select(f => (Parts: f.Name[..^".json.gz".Length].Split('-'), f.Path))
            .Where(f => f.Parts.Length == 2)
            .Select(f => (long.Parse(f.Parts[0], CultureInfo.InvariantCulture), int.Parse(f.Parts[1], CultureInfo.InvariantCulture), f.Path))
            .OrderBy(b => b.Item1)
            .ToList();

    public long SizeBytes => Directory.EnumerateFiles(Dir, "*.json.gz").Sum(f => new FileInfo(f).Length);

    private void Trim()
    {
        var batches = Batches();
        var size = batches.Sum(b => new FileInfo(b.Path).Length);
        // The newest batch always stays: it holds lines the server has not seen at all.
        foreach (var (_, lines, path) in batches.SkipLast(1))
        {
            if (size <= maxBytes)
                break;
            size -= new FileInfo(path).Length;
            File.Delete(path);
            Interlocked.Add(ref _dropped, lines);
        }
    }
}
