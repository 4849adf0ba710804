namespace Crossfade.Core.Specs;

/// <summary>
/// How an app is built from source: the repository (anything the system's <c>git</c> fetches: a path, ssh,
/// https), the shell command run at its root, the folder it leaves the release in, how long it may take, and
/// where it runs: on the server (<see cref="OnServer"/>) or on a host with the <c>builder</c> role (<see cref="OnBuilder"/>).
/// </summary>
public sealed record BuildSpec(string Repository, string Command, string Output, int TimeoutSeconds, string RunsOn = BuildSpec.OnServer)
{
    public const string OnServer = "server";
    public const string OnBuilder = "builder";
}

/// <summary>
/// Which pushes deploy where: branch and tag patterns ('*' matches any run of characters but '/';
/// '**' any run at all) mapped to environments, checked in the order written.
/// </summary>
public sealed record TriggersSpec(IReadOnlyList<(string Pattern, string Environment)> Branches, IReadOnlyList<(string Pattern, string Environment)> Tags)
{
    public static readonly TriggersSpec None = new([], []);
}
