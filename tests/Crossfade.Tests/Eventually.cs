namespace Crossfade.Tests;

/// <summary>Waits for a condition (never for a fixed time), failing with a timeout when it never holds.</summary>
internal static class Eventually
{
    public static async Task TrueAsync(Func<Task<bool>> condition, TimeSpan? within = null)
    {
        var deadline = DateTime.UtcNow + (within ?? TimeSpan.FromSeconds(20));
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"the condition did not hold within {(within ?? TimeSpan.FromSeconds(20)).TotalSeconds:0} s");
            await Task.Delay(20);
        }
    }
}
