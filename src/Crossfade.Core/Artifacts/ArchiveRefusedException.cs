namespace Crossfade.Core.Artifacts;

/// <summary>Stops a walk through an archive mid-stream; caught in this folder and turned into a refusal.</summary>
internal sealed class ArchiveRefusedException(string message) : Exception(message);
