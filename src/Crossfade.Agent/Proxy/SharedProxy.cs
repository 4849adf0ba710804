using System.Text.Json;
using Crossfade.Agent.Instances;

namespace Crossfade.Agent.Proxy;

/// <summary>The proxy of a port several apps share, as the agent keeps it on disk: the process, and the app whose settings started it.</summary>
public sealed record SharedProxy(ProxyRecord Record, string StartedBy)
{
    public static SharedProxy? Load(string path)
    {
        try
        {
            return File.Exists(path) ? JsonSerializer.Deserialize<SharedProxy>(File.ReadAllText(path)) : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public void Save(string path)
    {
        var temp = path + ".tmp";
        File.WriteAllText(temp, JsonSerializer.Serialize(this));
        File.Move(temp, path, overwrite: true);
    }
}
