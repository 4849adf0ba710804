using Crossfade.Core.Artifacts;

namespace Crossfade.Server.Releases;

/// <summary>A content-addressed folder of release artifacts: <c>artifacts/sha256/&lt;hex&gt;</c>.</summary>
public sealed class ArtifactStore(string root)
{
    private readonly string _dir = Directory.CreateDirectory(Path.Combine(root, "artifacts", "sha256")).FullName;

    public string PathOf(string sha256) =>
        Sha256Hex.IsValid(sha256) ? Path.Combine(_dir, sha256) : throw new ArgumentException("not a sha256", nameof(sha256));

    public bool Exists(string sha256) => Sha256Hex.IsValid(sha256) && File.Exists(PathOf(sha256));

    /// <summary>A file to write an upload into before its hash is known.</summary>
    public string NewStagingPath() => Path.Combine(_dir, ".upload-" + Guid.NewGuid().ToString("N"));

    /// <summary>Moves a hashed upload to its address; an equal artifact stored already wins.</summary>
    public void Commit(string stagingPath, string sha256)
    {
        var target = PathOf(sha256);
        if (File.Exists(target))
            File.Delete(stagingPath);
        else
            File.Move(stagingPath, target);
    }
}
