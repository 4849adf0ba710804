namespace Crossfade.Server.Telemetry;

/// <summary>A shipped batch that decompresses to more than the server takes.</summary>
public sealed class BatchTooLargeException(long limit) : IOException($"the batch is larger than {limit} bytes once decompressed");
