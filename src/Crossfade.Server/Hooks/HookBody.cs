using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Crossfade.Server.Hooks;

/// <summary>A webhook's raw body (its signature covers the bytes as sent), read up to 25 MB and no further.</summary>
public static class HookBody
{
    public const int MaxBytes = 25 * 1024 * 1024;


    /// <summary>The body, or null when it is larger than <see cref="MaxBytes"/>.</summary>
    public static async Task<byte[]?> ReadAsync(HttpRequest request, CancellationToken ct)
    {
        if (request.ContentLength is > MaxBytes)
            return null;
        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
            limit.MaxRequestBodySize = MaxBytes + 1;
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > MaxBytes)
                return null;
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }
}
