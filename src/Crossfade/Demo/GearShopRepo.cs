using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Crossfade.Demo;

/// <summary>
/// gear-shop's source as a git repository of its own (the example with the build settings it inherits),
/// for builds from source; and a push announced the way GitHub does, signed with the app's webhook secret.
/// </summary>
public static class GearShopRepo
{
    /// <summary>The command that builds gear-shop's release from the repository's root into <c>out</c>.</summary>
    public const string BuildCommand =
        "dotnet publish examples/gear-shop/GearShop.csproj -c Release -r linux-x64 --no-self-contained -o out --nologo -v quiet --disable-build-servers";

    /// <summary>Makes the repository in <paramref name="dir"/> with one commit on main; returns that commit's id.</summary>
    public static string Create(string dir)
    {
        var repo = RepoPaths.Root() ?? throw new InvalidOperationException("cannot find examples/gear-shop");
        if (Directory.Exists(dir))
            Directory.Delete(dir, recursive: true);
        var example = Path.Combine(repo, "examples", "gear-shop");
        foreach (var file in Directory.EnumerateFiles(example, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(example, file);
            if (relative.Split(Path.DirectorySeparatorChar)[0] is "bin" or "obj")
                continue;
            var target = Path.Combine(dir, "examples", "gear-shop", relative);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
        foreach (var shared in new[] { "Directory.Build.props", "Directory.Packages.props" })
            File.Copy(Path.Combine(repo, shared), Path.Combine(dir, shared));
        Git(dir, "init", "--quiet", "--initial-branch=main");
        return Commit(dir, "gear-shop from source");
    }

    /// <summary>Commits what the folder holds now; returns the commit's id.</summary>
    public static string Commit(string dir, string message)
    {
        Git(dir, "add", "--all");
        Git(dir, "-c", "user.name=Crossfade Demo", "-c", "user.email=demo@crossfade.invalid", "commit", "--quiet", "--allow-empty", "-m", message);
        return Git(dir, "rev-parse", "HEAD");
    }

    /// <summary>Announces a push of <paramref name="sha"/> to <paramref name="gitRef"/> to the server as GitHub would, signed; returns the status and answer.</summary>
    public static async Task<(int Status, string Body)> PushAsync(string serverUrl, string app, string secret, string gitRef, string sha, CancellationToken ct)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(new
        {
            @ref = gitRef, after = sha, deleted = false, pusher = new { name = Environment.UserName },
            head_commit = new { id = sha, message = "push" },
        });
        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = new Uri(serverUrl) };
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/hooks/github/{app}") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new("application/json");
        request.Headers.Add("X-GitHub-Event", "push");
        request.Headers.Add("X-GitHub-Delivery", Guid.NewGuid().ToString());
        request.Headers.Add("X-Hub-Signature-256", "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body)));
        using var response = await http.SendAsync(request, ct);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync(ct));
    }

    private static string Git(string dir, params string[] arguments)
    {
        var info = new ProcessStartInfo("git") { WorkingDirectory = dir, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in arguments)
            info.ArgumentList.Add(a);
        using var process = Process.Start(info) ?? throw new InvalidOperationException("git is not installed");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"git {string.Join(' ', arguments)} failed: {error}");
        return output.Result.Trim();
    }
}
