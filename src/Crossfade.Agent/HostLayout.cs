namespace Crossfade.Agent;

/// <summary>Capistrano's layout of an app on a host (DESIGN §3).</summary>
public sealed class HostLayout(string root, string app)
{
    public string AppDir { get; } = Path.Combine(Path.GetFullPath(root), "apps", app);
    public string Releases => Path.Combine(AppDir, "releases");
    public string Release(string version) => Path.Combine(Releases, version);
    public string Shared => Path.Combine(AppDir, "shared");
    public string Logs => Path.Combine(Shared, "log");
    public string Current => Path.Combine(AppDir, "current");
    public string Config => Path.Combine(AppDir, "config");
    public string Downloads => Path.Combine(AppDir, ".downloads");
    public string Marker(string version) => Path.Combine(Releases, $".{version}.sha256");
    public string ProxyState => Path.Combine(AppDir, "proxy-state.json");
    public string AccessLog => Path.Combine(Logs, "access.log");
}
