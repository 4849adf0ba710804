using Crossfade.Core.Config;
using Crossfade.Agent.Steps;

namespace Crossfade.Agent.Converge;

/// <summary>
/// What every resource needs while a host converges: where relative paths live, whether to change
/// anything, where output goes. A why-run works in a shadow copy of the config folder
/// (<paramref name="workDir"/>) and applies relative paths there for real; absolute paths it only
/// predicts, remembering which paths earlier resources would have made.
/// </summary>
public sealed class ConvergeContext(
    string realDir, string workDir, bool whyRun, StepLog log, Redactor redactor, IReadOnlyDictionary<string, string> environment, TimeProvider time)
{
    private readonly HashSet<string> _wouldExist = new(StringComparer.Ordinal);
    private readonly string _realDir = Path.GetFullPath(realDir);

    /// <summary>Where relative paths resolve and commands run: the config folder, or its shadow in why-run.</summary>
    public string ConfigDir { get; } = Path.GetFullPath(workDir);
    public bool WhyRun { get; } = whyRun;
    public StepLog Log { get; } = log;

    /// <summary>The clock a command's timeout runs on.</summary>
    public TimeProvider Time { get; } = time;
    public Redactor Redactor { get; } = redactor;
    public IReadOnlyDictionary<string, string> Environment { get; } = environment;
    public TimeSpan CommandTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>A declared path on this host: absolute as written, relative ones inside the app's config folder.</summary>
    public string Resolve(string path) => Path.GetFullPath(Path.IsPathRooted(path) ? path : Path.Combine(ConfigDir, path));

    /// <summary>Whether a resource at this declared path is written: always for real, only inside the shadow for why-run.</summary>
    public bool Writes(string declaredPath) => !WhyRun || !Path.IsPathRooted(declaredPath);

    /// <summary>A path as the user knows it: the real config folder, never the shadow.</summary>
    public string Show(string fullPath) =>
        fullPath.StartsWith(ConfigDir, StringComparison.Ordinal) ? _realDir + fullPath[ConfigDir.Length..] : fullPath;

    /// <summary>How a change is worded in the report: "would change: ..." in why-run.</summary>
    public string Changed(string what) => WhyRun ? "would change: " + what : what;

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
