using Crossfade.Contracts.V1;
using Crossfade.Server.Agents;
using Crossfade.Server.Dashboard.Pages;
using Crossfade.Server.Dashboard.Pages.Parts;
using Crossfade.Server.Dashboard.Views;
using Crossfade.Server.Events;
using Crossfade.Server.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Crossfade.Server.Dashboard.Live;

/// <summary>
/// A deploy's page and its live feed: on every change in this process (a step taken or ended, output
/// appended, an event published) and at least once a second (news written by another server process),
/// the feed reads the deploy again and sends its body when it differs, and the output lines that are new.
/// </summary>
public static class DeployStream
{
    private static readonly TimeSpan MaxFollow = TimeSpan.FromHours(2);

    public static void MapDeployPage(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/deploys/{id:long}", PageAsync).Page(Roles.Viewer);
        routes.MapGet("/deploys/{id:long}/live", FollowAsync).Page(Roles.Viewer);
    }

    private static readonly TimeSpan RecheckEvery = TimeSpan.FromSeconds(5);

    private static async Task<IResult> PageAsync(long id, HttpContext context, IStore store, TimeProvider time, CancellationToken ct)
    {
        if (await DeployPageLoader.LoadAsync(store, id, time.GetUtcNow(), ct) is not { } live)
            return DashboardPages.Problem(context, 404, "Not found", $"no deploy #{id}");
        var lines = await LinesAsync(store, live.Deploy, 0, ct);
        return DashboardPages.Render<DeployPage>(context, new { Chrome = DashboardPages.Chrome(context), Live = live, Lines = lines.TakeLast(DeployPageLoader.LogLines).ToList() });
    }

    private static async Task FollowAsync(long id, long? after, HttpContext context, IStore store, TimeProvider time, WorkSignals signals, Timeline timeline, FragmentRenderer fragments)
    {
        var ct = context.RequestAborted;
        var chrome = DashboardPages.Chrome(context);
        ServerSentEvents.Start(context.Response);
        await context.Response.Body.FlushAsync(ct);
        var seq = ServerSentEvents.ResumeAfter(context.Request, after);
        string? sent = null;
        var started = time.GetUtcNow();
        var (checkedAt, spokeAt) = (started, started);
        try
        {
            while (!ct.IsCancellationRequested && time.GetUtcNow() - started < MaxFollow)
            {
                var touched = signals.NextTouchAsync(id);
                var published = timeline.WaitForNextAsync(TimeSpan.FromSeconds(1), ct);
                var now = time.GetUtcNow();
                // A revoked token or an expired session ends the stream too, not only the next page.
                if (now - checkedAt >= RecheckEvery)
                {
                    if (!await DashboardPages.StillSignedInAsync(context))
                        break;
                    checkedAt = now;
                }
                if (await DeployPageLoader.LoadAsync(store, id, now, ct) is not { } live)
                    break;
                var body = await fragments.RenderAsync<DeployBody>(new Dictionary<string, object?> { ["Chrome"] = chrome, ["Live"] = live });
                if (body != sent)
                {
                    await ServerSentEvents.SendAsync(context.Response, "deploy", sent = body, ct);
                    spokeAt = now;
                }
                var lines = await LinesAsync(store, live.Deploy, seq, ct);
                if (lines.Count > 0)
                {
                    seq = lines[^1].Seq;
                    var html = await fragments.RenderAsync<LogLines>(new Dictionary<string, object?> { ["Lines"] = lines });
                    await ServerSentEvents.SendAsync(context.Response, "log", html, ct, seq);
                    spokeAt = now;
                }
                if (Outcomes.Finished(live.Deploy.State))
                {
                    await ServerSentEvents.SendAsync(context.Response, "done", "", ct);
                    break;
                }
                if (now - spokeAt >= ServerSentEvents.KeepAlive)
                {
                    await ServerSentEvents.PingAsync(context.Response, ct);
                    spokeAt = now;
                }
                await Task.WhenAny(touched, published);
            }
        }
        catch (OperationCanceledException)
        {
            // The viewer left.
        }
        finally
        {
            signals.StopWatching(id);
        }
    }

    /// <summary>
    /// Output lines after <paramref name="after"/>, with their host and step. The lines are read first: a step
    /// created since the deploy was read is looked up then, so its lines are never skipped.
    /// </summary>
    private static async Task<IReadOnlyList<DeployLogLine>> LinesAsync(IStore store, DeployView deploy, long after, CancellationToken ct)
    {
        var lines = await store.ReadStepLogAsync(deploy.Id, null, after, ct);
        var steps = deploy.Steps.ToDictionary(s => s.Id, s => (s.Host, s.Kind));
        if (lines.Any(l => !steps.ContainsKey(l.StepId)))
            steps = (await store.ListStepsAsync(deploy.Id, ct)).ToDictionary(s => s.Id, s => (s.Host, s.Kind));
        return lines.Where(l => steps.ContainsKey(l.StepId))
            .Select(l => new DeployLogLine(l.Seq, steps[l.StepId].Host, steps[l.StepId].Kind, l.Line.At, l.Line.Line)).ToList();
    }
}
