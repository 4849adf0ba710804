using Crossfade.Core.Config;
using Crossfade.Agent.Steps;
using Crossfade.Contracts.V1;

namespace Crossfade.Agent.Converge;

/// <summary>
/// A shell command, run unless a guard says its work is done: <c>creates</c> (a path that exists),
/// <c>unless</c> (a command that succeeds), <c>only_if</c> (a command that fails). Guards run in why-run
/// too — they must only look — so the prediction is the real decision.
/// </summary>
public static class CommandResource
{
    public static async Task<ResourceReport> ConvergeAsync(ConvergeResource r, ConvergeContext ctx, string? notifiedBy, CancellationToken ct)
    {
        if (r.OnlyWhenNotified && notifiedBy is null)
            return new ResourceReport(r.Id, ResourceStatus.Skipped, "runs only when notified");
        if (await GuardAsync(r, ctx, ct) is { } skip)
            return new ResourceReport(r.Id, ResourceStatus.Skipped, skip);
        var why = notifiedBy is null ? "" : $" (notified by {notifiedBy})";
        if (ctx.WhyRun)
        {
            // The command itself never runs in why-run; what it promises to create is taken as made, so later guards see it.
            if (r.Creates is not null)
                MarkCreated(ctx, r.Creates);
            return new ResourceReport(r.Id, ResourceStatus.Changed, $"would run: {ctx.Redactor.Apply(r.Run!)}{why}");
        }
        ctx.Log.Write($"$ {r.Run}{why}");
        var exit = await CommandRunner.RunAsync(r.Run!, ctx.ConfigDir, ctx.Environment, ctx.Log, ctx.CommandTimeout, ctx.Time, ct);
        return exit == 0
            ? new ResourceReport(r.Id, ResourceStatus.Changed, $"ran: {ctx.Redactor.Apply(r.Run!)}{why}")
            : new ResourceReport(r.Id, ResourceStatus.Failed, $"'{ctx.Redactor.Apply(r.Run!)}' exited with code {exit}: {ctx.Log.Tail(3)}");
    }

    private static void MarkCreated(ConvergeContext ctx, string creates)
    {
        var path = ctx.Resolve(creates);
        if (!ctx.Writes(creates) || ctx.Exists(path))
        {
            ctx.WouldCreate(path);
            return;
        }
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, "");
    }

    /// <returns>why the command does not run, or null when it runs.</returns>
    private static async Task<string?> GuardAsync(ConvergeResource r, ConvergeContext ctx, CancellationToken ct)
    {
        if (r.Creates is not null && ctx.Exists(ctx.Resolve(r.Creates)))
            return $"{r.Creates} exists";
        if (r.Unless is not null && await QuietAsync(r.Unless, ctx, ct) == 0)
            return $"'unless' guard succeeded: {ctx.Redactor.Apply(r.Unless)}";
        if (r.OnlyIf is not null && await QuietAsync(r.OnlyIf, ctx, ct) != 0)
            return $"'only_if' guard failed: {ctx.Redactor.Apply(r.OnlyIf)}";
        return null;
    }

    private static Task<int> QuietAsync(string command, ConvergeContext ctx, CancellationToken ct) =>
        CommandRunner.RunAsync(command, ctx.ConfigDir, ctx.Environment, new StepLog(ctx.Time), TimeSpan.FromSeconds(60), ctx.Time, ct);
}
