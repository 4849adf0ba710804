namespace Crossfade.Core.Files;

/// <summary>
/// A file only its owner may read (mode 600: tokens, keys, pins, logins), written whole or not at all: created
/// with that mode before anything is in it, under a temporary name, then renamed over the old one.
/// </summary>
public static class PrivateFile
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    public static void Write(string path, string text)
    {
        var temp = $"{path}.{Guid.NewGuid():N}.new";
        try
        {
            using (var stream = new FileStream(temp, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = OwnerOnly }))
            using (var writer = new StreamWriter(stream))
                writer.Write(text);
            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp))
                File.Delete(temp);
        }
    }
}
