namespace Crossfade.Core.Config;

/// <summary>What a changed resource can notify: the app (a graceful reload) or a named command.</summary>
public static class NotifyTargets
{
    public const string Reload = "reload";
    public const string CommandPrefix = "command:";

    public static bool IsCommand(string target, out string name)
    {
        name = target.StartsWith(CommandPrefix, StringComparison.Ordinal) ? target[CommandPrefix.Length..] : "";
        return name.Length > 0;
    }
}
