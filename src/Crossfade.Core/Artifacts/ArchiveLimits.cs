namespace Crossfade.Core.Artifacts;

/// <summary>
/// What a release archive may hold. A bound is enforced while the archive streams, so a bomb is
/// refused before it fills a disk or a memory.
/// </summary>
public sealed record ArchiveLimits
{
    /// <summary>The most bytes all the release's files may add up to once unpacked (hard links count as copies).</summary>
    public long MaxUnpackedBytes { get; init; } = 2L << 30;

    /// <summary>The most entries (files, folders, links) a release may hold.</summary>
    public int MaxEntries { get; init; } = 100_000;

    /// <summary>The longest path of an entry or a link's target, in characters.</summary>
    public int MaxPathLength { get; init; } = 1024;

    /// <summary>The longest single file or folder name, in UTF-8 bytes (Linux's NAME_MAX).</summary>
    public int MaxNameBytes { get; init; } = 255;

    /// <summary>How many links a link's target may pass through before it is refused as too deep.</summary>
    public int MaxLinkDepth { get; init; } = 16;

    /// <summary>The largest metadata record (PAX extended header, GNU long name) taken: tar readers hold one whole in memory.</summary>
    public int MaxMetadataBytes { get; init; } = 256 * 1024;

    /// <summary>How many folders deep an entry may be.</summary>
    public int MaxDepth { get; init; } = 128;

    /// <summary>
    /// How many path segments resolving all the archive's links may walk in all: a bound on the work an
    /// archive of long chained link targets can cause, far above what real releases need.
    /// </summary>
    public long MaxLinkSteps { get; init; } = 4_000_000;

    /// <summary>The limits used when nobody set others.</summary>
    public static ArchiveLimits Default { get; } = new();

    /// <summary>What the tar stream itself may hold beyond the files' bytes: headers and padding.</summary>
    internal long MaxStreamBytes => MaxUnpackedBytes + 64L * 1024 * 1024 + (long)MaxEntries * 4096;

    /// <summary>The problems of these limits, for validation at start-up.</summary>
    public IEnumerable<string> Problems()
    {
        if (MaxUnpackedBytes <= 0)
            yield return "the largest unpacked release must be positive";
        if (MaxEntries <= 0)
            yield return "the most entries of a release must be positive";
        if (MaxPathLength <= 0 || MaxNameBytes <= 0 || MaxLinkDepth <= 0)
            yield return "path, name and link-depth limits must be positive";
    }
}
