using System.Text;
using Microsoft.AspNetCore.Http;

namespace Crossfade.Server.Dashboard.Live;

/// <summary>Writes server-sent events: a name, and data split into lines as the format wants it.</summary>
public static class ServerSentEvents
{
    public static void Start(HttpResponse response)
    {
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache, no-store";
        response.Headers["X-Accel-Buffering"] = "no";
    }

    public static async Task SendAsync(HttpResponse response, string name, string data, CancellationToken ct)
    {
        var text = new StringBuilder(data.Length + 64).Append("event: ").Append(name).Append('\n');
        foreach (var line in data.Split('\n'))
            text.Append("data: ").Append(line.TrimEnd('\r')).Append('\n');
        text.Append('\n');
        await response.WriteAsync(text.ToString(), ct);
        await response.Body.FlushAsync(ct);
    }
}
