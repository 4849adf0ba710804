namespace Crossfade.Agent.Shipping;

/// <summary>How far a followed file has been read: which file (its inode) and up to which byte.</summary>
public sealed record FileCursor(string Path, ulong Inode, long Offset);
