namespace Crossfade.Agent.Steps;

/// <summary>The last lines of a log file, for failure messages.</summary>
public static class LogTail
{
    public static string Read(string path, int lines)
    {
        try
        {
            if (!File.Exists(path))
                return "";
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            stream.Seek(Math.Max(0, stream.Length - 8192), SeekOrigin.Begin);
            using var reader = new StreamReader(stream);
            var text = reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
            return string.Join(" | ", text.TakeLast(lines).Select(l => l.Trim()));
        }
        catch (IOException)
        {
            return "";
        }
    }
}
