using Crossfade.Agent.Steps;

namespace Crossfade.Agent.Converge;

/// <summary>
/// What every resource needs while a host converges: where relative paths live, whether to change
/// anything, where output goes, and — for why-run — which paths earlier resources would have made.
/// </summary>
public sealed class ConvergeContext(string configDir, bool whyRun, StepLog log, Redactor redactor, IReadOnlyDictionary<string, string> environment)
{
    private readonly HashSet<string> _wouldExist = new(StringComparer.Ordinal);

    public string ConfigDir { get; } = configDir;
    public bool WhyRun { get; } = whyRun;
    public StepLog Log { get; } = log;
    public Redactor Redactor { get; } = redactor;
    public IReadOnlyDictionary<string, string> Environment { get; } = environment;
    public TimeSpan CommandTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>A declared path on this host: absolute as written, relative ones inside the app's config folder.</summary>
    public string Resolve(string path) => Path.GetFullPath(Path.IsPathRooted(path) ? path : Path.Combine(ConfigDir, path));

    /// <summary>Records a path a why-run resource would have created, with its parent folders, so later guards see it.</summary>
    public void WouldCreate(string fullPath)
    {
        for (var p = fullPath; !string.IsNullOrEmpty(p) && p != "/"; p = Path.GetDirectoryName(p))
            _wouldExist.Add(p);
    }

    /// <summary>Whether a path exists now, or would after the resources before it, in why-run.</summary>
    public bool Exists(string fullPath) =>
        File.Exists(fullPath) || Directory.Exists(fullPath) || IsLink(fullPath) || (WhyRun && _wouldExist.Contains(fullPath));

    /// <summary>Whether a folder exists now, or would in why-run.</summary>
    public bool FolderExists(string fullPath) => Directory.Exists(fullPath) || (WhyRun && _wouldExist.Contains(fullPath));

    public static bool IsLink(string fullPath) => new FileInfo(fullPath).LinkTarget is not null;
}
