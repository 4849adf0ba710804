using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Crossfade.Agent.Proxy;

/// <summary>
/// Forwards one request to the live upstream and streams the answer back; a measured hot path, so it
/// stays in one file.
/// </summary>
public sealed class ProxyForwarder(UpstreamTable table, AccessLogWriter accessLog, TimeProvider time)
{
    public async Task ForwardAsync(HttpContext context)
    {
        var started = Stopwatch.GetTimestamp();
        var snapshot = table.Acquire();
        var status = 0;
        long bytes = 0;
        var release = snapshot?.Release ?? "-";
        try
        {
            if (snapshot is null)
            {
                status = await FailAsync(context, StatusCodes.Status503ServiceUnavailable, "no release is live on this host yet");
                return;
            }
            (status, bytes) = await SendWithOneRetryAsync(context, snapshot);
        }
        finally
        {
            snapshot?.Exit();
            var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            accessLog.Add(new AccessRecord(time.GetUtcNow(), context.Request.Method, context.Request.Path.Value ?? "/", status, elapsed, bytes, release,
                context.Connection.RemoteIpAddress?.ToString() ?? "-"));
        }
    }

    private async Task<(int Status, long Bytes)> SendWithOneRetryAsync(HttpContext context, UpstreamSnapshot snapshot)
    {
        var canRetry = !HasBody(context.Request);
        try
        {
            return await SendAsync(context, snapshot);
        }
        catch (HttpRequestException ex) when (canRetry && IsConnectRefused(ex) && !context.Response.HasStarted)
        {
            // The upstream refused the connection, so it never saw the request: one retry on the live snapshot is safe.
            var live = table.Acquire();
            if (live is null)
                return (await FailAsync(context, 502, "the upstream refused the connection"), 0);
            try
            {
                return await SendAsync(context, live);
            }
            catch (HttpRequestException retryEx) when (!context.Response.HasStarted)
            {
                return (await FailAsync(context, 502, $"the upstream did not answer: {retryEx.Message}"), 0);
            }
            finally
            {
                live.Exit();
            }
        }
        catch (HttpRequestException ex) when (!context.Response.HasStarted)
        {
            return (await FailAsync(context, 502, $"the upstream did not answer: {ex.Message}"), 0);
        }
        catch (TaskCanceledException) when (!context.RequestAborted.IsCancellationRequested && !context.Response.HasStarted)
        {
            return (await FailAsync(context, 504, "the upstream did not answer in time"), 0);
        }
        catch (Exception) when (context.RequestAborted.IsCancellationRequested)
        {
            return (499, 0);
        }
    }

    private static async Task<(int Status, long Bytes)> SendAsync(HttpContext context, UpstreamSnapshot snapshot)
    {
        using var outgoing = BuildRequest(context, snapshot.BaseUri);
        using var response = await snapshot.Invoker.SendAsync(outgoing, context.RequestAborted);
        var target = context.Response;
        target.StatusCode = (int)response.StatusCode;
        CopyResponseHeaders(response, target);
        await using var body = await response.Content.ReadAsStreamAsync(context.RequestAborted);
        var bytes = await CopyAsync(body, target.Body, context.RequestAborted);
        return (target.StatusCode, bytes);
    }

    private static HttpRequestMessage BuildRequest(HttpContext context, Uri upstream)
    {
        var source = context.Request;
        var message = new HttpRequestMessage(new HttpMethod(source.Method), new Uri(upstream, source.Path.ToUriComponent() + source.QueryString.ToUriComponent()))
        {
            Version = HttpVersion.Version11,
            VersionPolicy = HttpVersionPolicy.RequestVersionOrLower,
        };
        if (HasBody(source))
            message.Content = new StreamContent(source.Body);
        var named = HopHeaders.NamedBy(source.Headers.Connection);
        foreach (var (name, values) in source.Headers)
        {
            if (HopHeaders.IsHop(name) || named?.Contains(name) == true || name.Equals("Host", StringComparison.OrdinalIgnoreCase))
                continue;
            if (!message.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values))
                message.Content?.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values);
        }
        message.Headers.Host = source.Host.Value;
        var client = context.Connection.RemoteIpAddress?.ToString();
        if (client is not null)
        {
            var prior = source.Headers["X-Forwarded-For"].ToString();
            message.Headers.Remove("X-Forwarded-For");
            message.Headers.TryAddWithoutValidation("X-Forwarded-For", prior.Length > 0 ? $"{prior}, {client}" : client);
        }
        message.Headers.Remove("X-Forwarded-Proto");
        message.Headers.TryAddWithoutValidation("X-Forwarded-Proto", source.Scheme);
        message.Headers.Remove("X-Forwarded-Host");
        message.Headers.TryAddWithoutValidation("X-Forwarded-Host", source.Host.Value);
        return message;
    }

    private static void CopyResponseHeaders(HttpResponseMessage response, HttpResponse target)
    {
        var named = response.Headers.TryGetValues("Connection", out var connection) ? HopHeaders.NamedBy(connection.ToArray()) : null;
        foreach (var (name, values) in response.Headers)
            if (!HopHeaders.IsHop(name) && named?.Contains(name) != true)
                target.Headers[name] = values.ToArray();
        foreach (var (name, values) in response.Content.Headers)
            target.Headers[name] = values.ToArray();
        if (target.HttpContext.Features.Get<IHttpResponseBodyFeature>() is { } feature && response.Content.Headers.ContentLength is null)
            feature.DisableBuffering();
    }

    private static async Task<long> CopyAsync(Stream from, Stream to, CancellationToken ct)
    {
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(16384);
        try
        {
            long total = 0;
            int read;
            while ((read = await from.ReadAsync(buffer, ct)) > 0)
            {
                await to.WriteAsync(buffer.AsMemory(0, read), ct);
                total += read;
            }
            return total;
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static bool HasBody(HttpRequest request) =>
        request.ContentLength > 0 || request.Headers.TransferEncoding.Count > 0;

    private static bool IsConnectRefused(HttpRequestException ex) =>
        ex.HttpRequestError == HttpRequestError.ConnectionError && ex.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionRefused };

    private static async Task<int> FailAsync(HttpContext context, int status, string why)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/plain; charset=utf-8";
        context.Response.Headers["X-Crossfade-Proxy-Error"] = why;
        await context.Response.WriteAsync($"crossfade proxy: {why}\n");
        return status;
    }
}
