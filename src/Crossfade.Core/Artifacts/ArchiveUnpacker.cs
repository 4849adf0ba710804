namespace Crossfade.Core.Artifacts;

/// <summary>
/// Unpacks a release archive into a folder, all or nothing, checking every entry as it streams (it
/// never trusts an earlier check): entries go to a temporary sibling folder that is renamed into
/// place only when every entry was written and every link resolves inside it.
/// </summary>
public static class ArchiveUnpacker
{
    /// <summary>Unpacks <paramref name="archivePath"/> into <paramref name="destination"/>, which must not exist.</summary>
    /// <returns>null on success, otherwise why nothing was unpacked (naming the entry).</returns>
    public static string? Unpack(string archivePath, string destination, ArchiveLimits? limits = null)
    {
        var staging = destination + ".unpacking-" + Guid.NewGuid().ToString("N")[..8];
        Directory.CreateDirectory(staging);
        try
        {
            List<string> problems;
            using (var file = File.OpenRead(archivePath))
                problems = ArchiveWalk.Run(file, limits ?? ArchiveLimits.Default, new FolderSink(staging), maxProblems: 1);
            if (problems.Count > 0)
            {
                Directory.Delete(staging, recursive: true);
                return "refused the archive: " + problems[0];
            }
            Directory.Move(staging, destination);
            return null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Deleting removes links themselves, never what they point at.
            Directory.Delete(staging, recursive: true);
            return $"could not unpack: {ex.Message}";
        }
    }
}
