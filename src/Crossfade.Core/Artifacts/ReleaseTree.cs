namespace Crossfade.Core.Artifacts;

/// <summary>
/// What an archive has put in the release folder so far, entry by entry, and the rules each new
/// entry must keep: no entry is written through a link or over an earlier entry, a link resolves
/// inside the folder (through the links already there, however many), a hard link names an earlier
/// regular file. Because later entries can turn a link's dangling path into one that leaves,
/// <see cref="FinalProblems"/> resolves every link again once the archive has ended.
/// </summary>
internal sealed class ReleaseTree(ArchiveLimits limits)
{
    private enum Kind { Directory, File, Link }

    private sealed record Node(Kind Kind, string? Target = null);

    private readonly Dictionary<string, Node> _nodes = new(StringComparer.Ordinal);
    private readonly List<(string[] Segments, string Target)> _links = [];
    private long _steps;

    /// <summary>Whether the path names a regular file already in the tree (the only thing a hard link may name).</summary>
    public bool IsFile(string[] segments) => _nodes.GetValueOrDefault(EntryPath.Join(segments))?.Kind == Kind.File;

    public string? AddDirectory(string[] segments)
    {
        if (segments.Length == 0)
            return null; // "./": the release folder itself
        if (ParentProblem(segments) is { } parent)
            return parent;
        var key = EntryPath.Join(segments);
        if (_nodes.TryGetValue(key, out var existing))
            return existing.Kind == Kind.Directory ? null : $"replaces the earlier entry '{key}' with a folder";
        AddParents(segments);
        _nodes[key] = new Node(Kind.Directory);
        return null;
    }

    public string? AddFile(string[] segments) => AddLeaf(segments, new Node(Kind.File));

    public string? AddHardLink(string[] segments, string[] target)
    {
        if (!IsFile(target))
            return $"is a hard link to '{EntryPath.Join(target)}', which is not an earlier regular file of the archive";
        return AddLeaf(segments, new Node(Kind.File));
    }

    public string? AddLink(string[] segments, string target)
    {
        if (target.Length == 0)
            return "is a link with an empty target";
        if (target.StartsWith('/'))
            return $"is a link to the absolute path '{target}'";
        if (target.Length > limits.MaxPathLength)
            return $"is a link whose target has {target.Length} characters (at most {limits.MaxPathLength})";
        if (EntryPath.TextProblem(target) is { } text)
            return "is a link whose target " + text;
        if (AddLeaf(segments, new Node(Kind.Link, target)) is { } problem)
            return problem;
        _links.Add((segments, target));
        return LinkProblem(segments, target);
    }

    /// <summary>Every link resolved again against the whole tree, once the archive has ended.</summary>
    public IEnumerable<string> FinalProblems()
    {
        foreach (var (segments, target) in _links)
            if (LinkProblem(segments, target) is { } problem)
                yield return $"entry '{EntryPath.Join(segments)}': {problem}";
    }

    private string? AddLeaf(string[] segments, Node node)
    {
        if (segments.Length == 0)
            return "names the release folder itself";
        if (ParentProblem(segments) is { } parent)
            return parent;
        var key = EntryPath.Join(segments);
        if (_nodes.ContainsKey(key))
            return $"replaces the earlier entry '{key}'";
        AddParents(segments);
        _nodes[key] = node;
        return null;
    }

    private string? ParentProblem(string[] segments)
    {
        // A folder already in the tree had every ancestor checked when it came: only a new parent is walked.
        if (segments.Length > 1 && _nodes.GetValueOrDefault(EntryPath.Join(segments[..^1]))?.Kind == Kind.Directory)
            return null;
        for (var i = 1; i < segments.Length; i++)
        {
            var prefix = EntryPath.Join(segments.Take(i));
            switch (_nodes.GetValueOrDefault(prefix)?.Kind)
            {
                case Kind.Link:
                    return $"passes through the link '{prefix}' (no entry may be written through a link)";
                case Kind.File:
                    return $"is inside '{prefix}', which is a file";
            }
        }
        return null;
    }

    private void AddParents(string[] segments)
    {
        if (segments.Length > 1 && _nodes.ContainsKey(EntryPath.Join(segments[..^1])))
            return;
        for (var i = 1; i < segments.Length; i++)
            _nodes.TryAdd(EntryPath.Join(segments.Take(i)), new Node(Kind.Directory));
    }

    private string? LinkProblem(string[] segments, string target)
    {
        var depth = 0;
        var at = new List<string>(segments[..^1]);
        return Resolve(at, target, ref depth) switch
        {
            Resolution.Escapes => $"is a link out of the release folder ('{target}')",
            Resolution.TooDeep => $"is a link through more than {limits.MaxLinkDepth} links ('{target}')",
            Resolution.TooMuch => $"is one link too many: resolving the archive's links walked more than {limits.MaxLinkSteps} path segments",
            _ => null,
        };
    }

    private enum Resolution { Inside, Escapes, TooDeep, TooMuch }

    /// <summary>
    /// Walks <paramref name="target"/> from the folder <paramref name="at"/>, following the links of the
    /// tree as the kernel would (a <c>..</c> after a link climbs from where the link points).
    /// A path that climbs above the release folder at any point escapes, even if it comes back.
    /// </summary>
    private Resolution Resolve(List<string> at, string target, ref int depth)
    {
        foreach (var part in target.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (++_steps > limits.MaxLinkSteps)
                return Resolution.TooMuch;
            if (part == ".")
                continue;
            if (part == "..")
            {
                if (at.Count == 0)
                    return Resolution.Escapes;
                at.RemoveAt(at.Count - 1);
                continue;
            }
            at.Add(part);
            if (_nodes.GetValueOrDefault(EntryPath.Join(at)) is { Kind: Kind.Link, Target: { } next })
            {
                if (++depth > limits.MaxLinkDepth)
                    return Resolution.TooDeep;
                at.RemoveAt(at.Count - 1);
                var inner = Resolve(at, next, ref depth);
                if (inner != Resolution.Inside)
                    return inner;
            }
        }
        return Resolution.Inside;
    }
}
