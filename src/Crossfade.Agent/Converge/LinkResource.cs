using Crossfade.Contracts.V1;

namespace Crossfade.Agent.Converge;

/// <summary>A symbolic link to a target, replaced in one rename so it never dangles half-made.</summary>
public static class LinkResource
{
    public static ResourceReport Converge(ConvergeResource r, ConvergeContext ctx)
    {
        var path = ctx.Resolve(r.Path);
        var target = r.Target!;
        var existing = new FileInfo(path).LinkTarget;
        if (existing == target)
            return new ResourceReport(r.Id, ResourceStatus.Unchanged);
        if (existing is null && (File.Exists(path) || Directory.Exists(path)))
            return new ResourceReport(r.Id, ResourceStatus.Failed, $"{ctx.Show(path)} is a file or folder, not a link; it was left as it is");
        var what = ctx.Changed(existing is null ? $"linked {ctx.Show(path)} -> {target}" : $"relinked {ctx.Show(path)} from {existing} to {target}");
        if (!ctx.Writes(r.Path))
        {
            ctx.WouldCreate(path);
            return new ResourceReport(r.Id, ResourceStatus.Changed, what);
        }
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temp = Path.Combine(Path.GetDirectoryName(path)!, $".{Path.GetFileName(path)}.crossfade-link");
        if (new FileInfo(temp).LinkTarget is not null || File.Exists(temp))
            File.Delete(temp);
        File.CreateSymbolicLink(temp, target);
        // rename(2) replaces the old link in one step; File.Move would follow the links instead.
        if (Instances.Native.Rename(temp, path) != 0)
            return new ResourceReport(r.Id, ResourceStatus.Failed, $"could not put the link in place (errno {System.Runtime.InteropServices.Marshal.GetLastPInvokeError()})");
        return new ResourceReport(r.Id, ResourceStatus.Changed, what);
    }
}
