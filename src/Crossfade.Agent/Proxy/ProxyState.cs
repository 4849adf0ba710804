using System.Text.Json;

namespace Crossfade.Agent.Proxy;

/// <summary>What the proxy serves (and splits off to a candidate), kept on disk so that a restarted proxy serves it again.</summary>
public sealed record ProxyState(
    string? Url, string? Release, string? SplitUrl = null, string? SplitRelease = null, int SplitWeightPercent = 0, string? SplitKey = null)
{
    public static ProxyState Load(string? path)
    {
        if (path is null || !File.Exists(path))
            return new ProxyState(null, null);
        try
        {
            return JsonSerializer.Deserialize<ProxyState>(File.ReadAllText(path)) ?? new ProxyState(null, null);
        }
        catch (JsonException)
        {
            return new ProxyState(null, null);
        }
    }

    public void Save(string? path)
    {
        if (path is null)
            return;
        var temp = path + ".tmp";
        File.WriteAllText(temp, JsonSerializer.Serialize(this));
        File.Move(temp, path, overwrite: true);
    }
}
