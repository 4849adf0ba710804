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

    /// <summary>How long a stream may stay silent before a comment line keeps proxies from closing it.</summary>
    public static readonly TimeSpan KeepAlive = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Sends an event; with <paramref name="id"/>, a browser that reconnects says it in <c>Last-Event-ID</c>
    /// and the stream resumes after it instead of sending again what the page has.
    /// </summary>
    public static async Task SendAsync(HttpResponse response, string name, string data, CancellationToken ct, long? id = null)
    {
        var text = new StringBuilder(data.Length + 64);
        if (id is { } value)
            text.Append("id: ").Append(value.ToString(System.Globalization.CultureInfo.InvariantCulture)).Append('\n');
        text.Append("event: ").Append(name).Append('\n');
        foreach (var line in data.Split('\n'))
            text.Append("data: ").Append(line.TrimEnd('\r')).Append('\n');
        text.Append('\n');
        await response.WriteAsync(text.ToString(), ct);
        await response.Body.FlushAsync(ct);
    }

    public static async Task PingAsync(HttpResponse response, CancellationToken ct)
    {
        await response.WriteAsync(": still here\n\n", ct);
        await response.Body.FlushAsync(ct);
    }

    /// <summary>Where a reconnecting browser left off (<c>Last-Event-ID</c>), or else <paramref name="fallback"/>.</summary>
    public static long ResumeAfter(HttpRequest request, long? fallback) =>
        long.TryParse(request.Headers["Last-Event-ID"], System.Globalization.CultureInfo.InvariantCulture, out var last) ? last : fallback ?? 0;
}
