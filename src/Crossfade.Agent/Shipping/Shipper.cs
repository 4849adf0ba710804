using System.IO.Compression;
using System.Net.Http.Headers;
using System.Text.Json;
using Crossfade.Contracts.V1;
using Crossfade.Agent.Instances;
using Microsoft.Extensions.Logging;

namespace Crossfade.Agent.Shipping;

/// <summary>
/// Ships the host's logs to the server: every app's <c>shared/log/*.log</c> (the proxy's access
/// records, each instance's output) and the files its spec names are followed (<see cref="LogCollector"/>), cut into numbered batches in the <see cref="Spool"/>,
/// and sent oldest first until the server has taken each one. A server that is down or unreachable
/// only makes the spool grow (up to its bound); nothing is read twice or sent as new twice.
/// </summary>
public sealed partial class Shipper(string root, HostStateStore state, HttpClient http, TimeProvider time, ILogger<Shipper> logger, long maxSpoolBytes = 256L << 20, Secrets.SecretMasks? masks = null,
    TimeSpan backoffMax = default)
{
    public const int BatchLines = 2000;
    public const long BatchBytes = 2L << 20;
    private const int InFlight = 2;
    private static readonly TimeSpan BehindCutEvery = TimeSpan.FromSeconds(1);
    private readonly Spool _spool = new(Path.Combine(root, "spool"), maxSpoolBytes);
    private readonly LogCollector _collector = new(root, state, time, masks);
    private long _seq;

    public Spool Spool => _spool;

    public async Task RunAsync(CancellationToken ct)
    {
        var saved = _spool.Recover();
        _seq = saved.Seq;
        var cursors = saved.Cursors.ToDictionary(c => c.Path, StringComparer.Ordinal);
        var sending = SendLoopAsync(ct);
        var lastCut = time.GetTimestamp();
        var taken = 0;
        while (!ct.IsCancellationRequested)
        {
            try
            {
                // While the server is behind (a batch waits beyond the ones being sent), a partial batch is
                // cut a second after the last one rather than a tenth: the next ones are bigger, and the
                // server's cost is per batch far more than per line, so a backlog drains instead of
                // growing. A full batch is followed at once: the files are never read slower than they grow.
                var behind = taken < BatchLines && time.GetElapsedTime(lastCut) < BehindCutEvery && _spool.Batches().Count > InFlight;
                taken = behind ? 0 : Collect(cursors);
                if (taken > 0)
                    lastCut = time.GetTimestamp();
                // A tenth of a second between looks when there is little to read: the judge is only as fresh as this.
                if (taken < BatchLines)
                    await Task.Delay(TimeSpan.FromMilliseconds(100), time, ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                break;
            }
            catch (IOException ex)
            {
                LogCollectFailed(ex.Message);
                await Task.Delay(TimeSpan.FromSeconds(1), time, ct).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
        await sending;
        _collector.Dispose();
    }

    /// <summary>Reads what is new in every followed file into one batch; returns how many lines it took.</summary>
    private int Collect(Dictionary<string, FileCursor> cursors)
    {
        var lines = _collector.Collect(cursors, BatchLines, BatchBytes);
        if (lines.Count == 0)
            return 0;
        _spool.Write(new LogBatch(++_seq, 0, lines), cursors.Values.ToList());
        return lines.Count;
    }

    private async Task SendLoopAsync(CancellationToken ct)
    {
        var failures = 0;
        while (!ct.IsCancellationRequested)
        {
            // Two batches in flight: the server parses one while it stores the other. Order does not
            // matter to the server (each batch is its own (host, seq)); only the first carries the dropped count.
            var next = _spool.Batches().Take(InFlight).ToList();
            if (next.Count == 0)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(100), time, ct).ContinueWith(_ => { }, TaskScheduler.Default);
                continue;
            }
            try
            {
                await Task.WhenAll(next.Select(async (b, i) =>
                {
                    await SendAsync(b.Seq, b.Path, i == 0, ct);
                    File.Delete(b.Path);
                }));
                failures = 0;
            }
            catch (Exception ex) when (ex is HttpRequestException or IOException or TaskCanceledException && !ct.IsCancellationRequested)
            {
                failures++;
                if (failures == 1 || failures % 30 == 0)
                    LogSendFailed(next[0].Seq, ex.Message, _spool.Batches().Count);
                await Task.Delay(TimeSpan.FromSeconds(Math.Min((backoffMax > TimeSpan.Zero ? backoffMax : new AgentOptions().ShipBackoffMax).TotalSeconds, failures)), time, ct)
                    .ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }

    private async Task SendAsync(long seq, string path, bool reportDropped, CancellationToken ct)
    {
        var body = await File.ReadAllBytesAsync(path, ct);
        var dropped = reportDropped ? _spool.Dropped : 0;
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        content.Headers.ContentEncoding.Add("gzip");
        using var request = new HttpRequestMessage(HttpMethod.Post, $"api/agent/v1/ingest?seq={seq}&dropped={dropped}") { Content = content };
        using var response = await http.SendAsync(request, ct);
        if ((int)response.StatusCode is 400 or 413 or 415 or 422)
        {
            // The server will never take this batch (it said why): keep the pipeline moving.
            LogRejected(seq, (int)response.StatusCode, await response.Content.ReadAsStringAsync(ct));
            return;
        }
        response.EnsureSuccessStatusCode();
        _spool.Reported(dropped);
    }

    [LoggerMessage(1, LogLevel.Warning, "Could not read the logs to ship: {Reason}")]
    private partial void LogCollectFailed(string reason);

    [LoggerMessage(2, LogLevel.Warning, "Could not ship batch {Seq} ({Reason}); {Waiting} batches wait on disk")]
    private partial void LogSendFailed(long seq, string reason, int waiting);

    [LoggerMessage(3, LogLevel.Error, "The server refused batch {Seq} with {Status}: {Body}")]
    private partial void LogRejected(long seq, int status, string body);
}
