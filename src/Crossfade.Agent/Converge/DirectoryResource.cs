using Crossfade.Contracts.V1;

namespace Crossfade.Agent.Converge;

/// <summary>A folder (with its parents) and, when declared, its mode.</summary>
public static class DirectoryResource
{
    public static ResourceReport Converge(ConvergeResource r, ConvergeContext ctx)
    {
        var path = ctx.Resolve(r.Path);
        if (File.Exists(path) || ConvergeContext.IsLink(path))
            return new ResourceReport(r.Id, ResourceStatus.Failed, $"{path} is a file or a link, not a folder; nothing was changed");
        if (Directory.Exists(path))
        {
            if (FileModes.Change(path, r.Mode) is not { } change)
                return new ResourceReport(r.Id, ResourceStatus.Unchanged);
            if (ctx.WhyRun)
                return new ResourceReport(r.Id, ResourceStatus.Changed, $"would change: {change} of {path}");
            File.SetUnixFileMode(path, FileModes.Parse(r.Mode!));
            return new ResourceReport(r.Id, ResourceStatus.Changed, $"{change} of {path}");
        }
        if (ctx.FolderExists(path))
            return new ResourceReport(r.Id, ResourceStatus.Unchanged, "an earlier resource would create it");
        var what = $"created {path}" + (r.Mode is null ? "" : $" with mode {r.Mode}");
        if (ctx.WhyRun)
        {
            ctx.WouldCreate(path);
            return new ResourceReport(r.Id, ResourceStatus.Changed, "would change: " + what);
        }
        if (r.Mode is not null)
            Directory.CreateDirectory(path, FileModes.Parse(r.Mode));
        else
            Directory.CreateDirectory(path);
        if (r.Mode is not null)
            File.SetUnixFileMode(path, FileModes.Parse(r.Mode));
        return new ResourceReport(r.Id, ResourceStatus.Changed, what);
    }
}
