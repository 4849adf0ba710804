namespace Crossfade.Core.Builds;

/// <summary>A build's workspace, removed however the build left it.</summary>
public static class WorkspaceFolder
{
    /// <summary>Removes a workspace, best effort: a tool that left read-only folders must not turn a good build into a failed one.</summary>
    public static void Remove(string workspace)
    {
        try
        {
            if (!Directory.Exists(workspace))
                return;
            foreach (var folder in Directory.EnumerateDirectories(workspace, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 }))
                File.SetUnixFileMode(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            Directory.Delete(workspace, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Left behind: the folder is the operator's to clear; no later build uses the same one.
        }
    }
}
