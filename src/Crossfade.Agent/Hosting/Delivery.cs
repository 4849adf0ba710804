namespace Crossfade.Agent.Hosting;

/// <summary>Sends until the server takes it: a step's or a build's output and result must not be lost to a blip.</summary>
public static class Delivery
{
    /// <summary>Tries <paramref name="send"/> up to <paramref name="attempts"/> times, waiting a second more after each failure (up to 5 s).</summary>
    public static async Task UntilTakenAsync(Func<Task> send, int attempts, TimeProvider time, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await send();
                return;
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && attempt < attempts && !ct.IsCancellationRequested)
            {
                await Task.Delay(TimeSpan.FromSeconds(Math.Min(5, attempt)), time, ct);
            }
        }
    }
}
