using Crossfade.Contracts.V1;

namespace Crossfade.Agent.Converge;

/// <summary>A folder (with its parents) and, when declared, its mode.</summary>
public static class DirectoryResource
{
    public static ResourceReport Converge(ConvergeResource r, ConvergeContext ctx)
    {
        var path = ctx.Resolve(r.Path);
        if (File.Exists(path) || ConvergeContext.IsLink(path))
            return new ResourceReport(r.Id, ResourceStatus.Failed, $"{ctx.Show(path)} is a file or a link, not a folder; nothing was changed");
        if (Directory.Exists(path))
        {
            if (FileModes.Change(path, r.Mode) is not { } change)
                return new ResourceReport(r.Id, ResourceStatus.Unchanged);
            if (ctx.Writes(r.Path))
                File.SetUnixFileMode(path, FileModes.Parse(r.Mode!));
            return new ResourceReport(r.Id, ResourceStatus.Changed, ctx.Changed($"{change} of {ctx.Show(path)}"));
        }
        if (ctx.FolderExists(path))
            return new ResourceReport(r.Id, ResourceStatus.Unchanged, "an earlier resource would create it");
        var what = ctx.Changed($"created {ctx.Show(path)}" + (r.Mode is null ? "" : $" with mode {r.Mode}"));
        if (!ctx.Writes(r.Path))
        {
            ctx.WouldCreate(path);
            return new ResourceReport(r.Id, ResourceStatus.Changed, what);
        }
        Directory.CreateDirectory(path);
        // Set after creating: the umask would otherwise narrow the declared mode.
        if (r.Mode is not null)
            File.SetUnixFileMode(path, FileModes.Parse(r.Mode));
        return new ResourceReport(r.Id, ResourceStatus.Changed, what);
    }
}
