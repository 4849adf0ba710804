using Crossfade.Core.Config;
using System.Text.Json;
using Crossfade.Agent.Steps;

namespace Crossfade.Agent.Secrets;

/// <summary>
/// The secret values rendered on this host for each app, so that no line leaving the host (a shipped
/// log line or access record, a step's output) carries one. Learned at every converge, kept across a
/// restart in <c>&lt;root&gt;/secrets/&lt;app&gt;.json</c> (mode 600; the host's converged files hold the
/// same values), the newest <see cref="Keep"/> per app, so a rotated key's old value is still masked
/// while an instance that has not reloaded goes on logging it.
/// </summary>
public sealed class SecretMasks(string root)
{
    public const int Keep = 16;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, (string[] Values, Redactor Redactor)> _apps = new(StringComparer.Ordinal);

    /// <summary>What masks the app's secrets; <see cref="Redactor.None"/> for an app with none.</summary>
    public Redactor For(string app)
    {
        if (!Core.Naming.FolderNames.IsName(app))
            return Redactor.None; // never a path from a name that is no name; the step itself is refused
        lock (_lock)
            return Entry(app).Redactor;
    }

    /// <summary>Adds the values a converge rendered for <paramref name="app"/>, newest first.</summary>
    public void Remember(string app, IReadOnlyList<string> values)
    {
        lock (_lock)
        {
            var known = Entry(app).Values;
            var merged = values.Where(v => v.Length > 0).Concat(known).Distinct(StringComparer.Ordinal).Take(Keep).ToArray();
            if (merged.SequenceEqual(known, StringComparer.Ordinal))
                return;
            var path = FileOf(app);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            var temp = path + ".next";
            File.Delete(temp);
            using (var file = new FileStream(temp, new FileStreamOptions
            {
                Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
            }))
            {
                JsonSerializer.Serialize(file, merged);
                file.Flush(flushToDisk: true);
            }
            File.Move(temp, path, overwrite: true);
            _apps[app] = (merged, new Redactor(merged));
        }
    }

    private (string[] Values, Redactor Redactor) Entry(string app)
    {
        if (_apps.TryGetValue(app, out var entry))
            return entry;
        var values = Load(FileOf(app));
        return _apps[app] = (values, values.Length == 0 ? Redactor.None : new Redactor(values));
    }

    /// <summary>The kept values; a file that cannot be read (cut short by a power loss) counts as none, until the next converge.</summary>
    private static string[] Load(string path)
    {
        try
        {
            return File.Exists(path) ? JsonSerializer.Deserialize<string[]>(File.ReadAllText(path)) ?? [] : [];
        }
        catch (Exception ex) when (ex is JsonException or IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    private string FileOf(string app) =>
        Core.Naming.FolderNames.IsName(app)
            ? Path.Combine(root, "secrets", app + ".json")
            : throw new ArgumentException($"'{app}' is not an app name", nameof(app));
}
