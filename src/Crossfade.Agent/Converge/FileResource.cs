using Crossfade.Core.Config;
using System.Text;
using Crossfade.Contracts.V1;

namespace Crossfade.Agent.Converge;

/// <summary>A file with exact content and, when declared, a mode. Written to a temporary file and renamed, so no reader sees half of it.</summary>
public static class FileResource
{
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    public static ResourceReport Converge(ConvergeResource r, ConvergeContext ctx)
    {
        var path = ctx.Resolve(r.Path);
        if (Directory.Exists(path))
            return new ResourceReport(r.Id, ResourceStatus.Failed, $"{ctx.Show(path)} is a folder, not a file; nothing was changed");
        var desired = r.Content ?? "";
        var exists = File.Exists(path);
        var current = exists ? File.ReadAllText(path, Utf8) : null;
        var contentChanged = current != desired;
        var modeChange = exists ? FileModes.Change(path, r.Mode) : null;
        if (!contentChanged && modeChange is null)
            return new ResourceReport(r.Id, ResourceStatus.Unchanged);

        var what = ctx.Changed(!exists ? $"created {ctx.Show(path)}" + (r.Mode is null ? "" : $" with mode {r.Mode}")
            : string.Join(", ", new[] { contentChanged ? "content" : null, modeChange }.OfType<string>()) + $" of {ctx.Show(path)}");
        var diff = contentChanged ? ctx.Redactor.ApplyToDiff(UnifiedDiff.Of(current, desired, r.Path)) : null;
        if (!ctx.Writes(r.Path))
        {
            ctx.WouldCreate(path);
            return new ResourceReport(r.Id, ResourceStatus.Changed, what, diff);
        }
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        if (contentChanged)
        {
            var temp = Path.Combine(Path.GetDirectoryName(path)!, $".{Path.GetFileName(path)}.crossfade-tmp");
            File.WriteAllText(temp, desired, Utf8);
            File.SetUnixFileMode(temp, r.Mode is not null ? FileModes.Parse(r.Mode) : exists ? File.GetUnixFileMode(path) : FileModes.Parse("0644"));
            File.Move(temp, path, overwrite: true);
        }
        else
            File.SetUnixFileMode(path, FileModes.Parse(r.Mode!));
        return new ResourceReport(r.Id, ResourceStatus.Changed, what, diff);
    }
}
