using System.Diagnostics;

namespace Crossfade.Tests.Server.Hooks;

/// <summary>A real git repository in a temporary folder, made with the system's git.</summary>
internal sealed class GitRepo : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("cf-repo-").FullName;

    public GitRepo()
    {
        Git("init", "--quiet", "--initial-branch=main");
    }

    /// <summary>Writes the files and commits them; returns the commit id.</summary>
    public string Commit(string message, params (string Name, string Text)[] files)
    {
        foreach (var (name, text) in files)
        {
            var full = System.IO.Path.Combine(Path, name);
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
            File.WriteAllText(full, text);
        }
        Git("add", "--all");
        Git("-c", "user.name=Ana", "-c", "user.email=ana@example.com", "commit", "--quiet", "-m", message);
        return Git("rev-parse", "HEAD");
    }

    public void Tag(string name) => Git("tag", name);

    public string Git(params string[] arguments)
    {
        var info = new ProcessStartInfo("git") { WorkingDirectory = Path, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in arguments)
            info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEnd();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"git {string.Join(' ', arguments)} failed: {error}");
        return output.Trim();
    }

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
