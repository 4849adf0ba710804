using Crossfade.Core.Config;
using Crossfade.Agent.Instances;
using Crossfade.Contracts.V1;
using Crossfade.Core.Telemetry;

namespace Crossfade.Agent.Shipping;

/// <summary>
/// Reads what is new in every followed file into the next batch. An app log's last entry is held
/// back until a line that starts a new entry follows it, or for <see cref="HoldFor"/>, so a stack
/// trace written in pieces still travels as one entry in one batch; a held entry's lines are not
/// counted as read (the saved cursor stays before them), so a restart reads them again, never loses them.
/// Every line has the app's secret values masked before it is spooled (<see cref="Secrets.SecretMasks"/>).
/// </summary>
public sealed class LogCollector(string root, HostStateStore state, TimeProvider time, Secrets.SecretMasks? masks = null) : IDisposable
{
    public static readonly TimeSpan HoldFor = TimeSpan.FromSeconds(1);
    private const int MaxEntryLines = 500;
    private const long MaxEntryBytes = 256 * 1024;
    private readonly Dictionary<string, LogFollower> _followers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HeldEntry> _held = new(StringComparer.Ordinal);

    private sealed class HeldEntry(DateTimeOffset since)
    {
        public DateTimeOffset Since { get; } = since;
        public List<(string Text, FileCursor After)> Lines { get; } = [];
        public long Bytes { get; set; }

        public bool Full => Lines.Count >= MaxEntryLines || Bytes >= MaxEntryBytes;
    }

    /// <summary>
    /// Appends up to about <paramref name="maxLines"/> lines (a released entry may pass it a little)
    /// and moves <paramref name="cursors"/> past what it took.
    /// </summary>
    public List<ShippedLine> Collect(Dictionary<string, FileCursor> cursors, int maxLines, long maxBytes)
    {
        var lines = new List<ShippedLine>();
        long bytes = 0;
        var now = time.GetUtcNow();
        var files = state.Read(s => s.Apps.Select(a => (a.Key, a.Value.Runtime?.LogFiles)).ToList())
            .SelectMany(a => FollowedFiles.Of(root, a.Key, a.LogFiles)).ToList();
        Forget(files);
        foreach (var file in files)
        {
            if (lines.Count >= maxLines || bytes >= maxBytes)
                break;
            if (!_followers.TryGetValue(file.Path, out var follower))
                _followers[file.Path] = follower = new LogFollower(file.Path, cursors.GetValueOrDefault(file.Path));
            var read = follower.Read(maxLines - lines.Count, maxBytes - bytes);
            var redactor = masks?.For(file.App) ?? Redactor.None;
            void Take(string text, FileCursor after)
            {
                var masked = redactor.Apply(text);
                lines.Add(new ShippedLine(file.App, file.Source, file.Name, masked, now));
                bytes += masked.Length;
                cursors[file.Path] = after;
            }
            if (file.Source == LineSources.Access)
            {
                foreach (var (text, after) in read)
                    Take(text, after);
                continue;
            }
            var held = _held.GetValueOrDefault(file.Path);
            foreach (var (text, after) in read)
            {
                if (held is not null && !held.Full && LogEntries.Continues(text))
                {
                    held.Lines.Add((text, after));
                    held.Bytes += text.Length;
                    continue;
                }
                if (held is not null)
                    foreach (var (t, a) in held.Lines)
                        Take(t, a);
                held = new HeldEntry(now);
                held.Lines.Add((text, after));
                held.Bytes = text.Length;
            }
            if (held is not null && (now - held.Since >= HoldFor || held.Full))
            {
                foreach (var (t, a) in held.Lines)
                    Take(t, a);
                held = null;
            }
            if (held is null)
                _held.Remove(file.Path);
            else
                _held[file.Path] = held;
        }
        return lines;
    }

    /// <summary>Closes the files no longer followed (an app removed, a spec's <c>logs.files</c> changed).</summary>
    private void Forget(List<FollowedFile> files)
    {
        var current = files.Select(f => f.Path).ToHashSet(StringComparer.Ordinal);
        foreach (var gone in _followers.Keys.Where(p => !current.Contains(p)).ToList())
        {
            _followers[gone].Dispose();
            _followers.Remove(gone);
            _held.Remove(gone);
        }
    }

    public void Dispose()
    {
        foreach (var f in _followers.Values)
            f.Dispose();
    }
}
