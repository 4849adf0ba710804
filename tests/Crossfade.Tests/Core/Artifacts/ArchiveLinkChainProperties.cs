using System.Formats.Tar;
using Crossfade.Core.Artifacts;
using FsCheck;
using FsCheck.Fluent;
using static Crossfade.Tests.Core.Artifacts.ArchiveSandbox;

namespace Crossfade.Tests.Core.Artifacts;

/// <summary>
/// Generated archives of folders, files, links and hard links over a few names, with link targets
/// that climb, loop and chain: whatever the unpacker accepts stays inside the release folder (checked
/// on disk, following every link as the kernel does), and nothing outside it ever changes.
/// </summary>
public sealed class ArchiveLinkChainProperties
{
    // Few names, so that links and the paths through them meet often.
    private static readonly string[] Segments = ["a", "b", "c"];
    private static readonly string[] TargetSegments = ["a", "b", "..", "a", "b", ".", "a", "b", ".."];
    private static readonly string[] Targets =
        [".", "..", "a", "b", "a/b", "b/..", "a/..", "../x", "../..", "../release/x", "x", "a/b/..", "a/b/../..", "b/a/..", "a/a/..", "b/b/../.."];

    private sealed record Spec(TarEntryType Type, string Path, string Target)
    {
        public override string ToString() => $"{Type} {Path}{(Type is TarEntryType.SymbolicLink or TarEntryType.HardLink ? " -> " + Target : "")}";
    }

    private static Gen<Spec> Entry() =>
        from type in Gen.Frequency((6, Gen.Constant(TarEntryType.SymbolicLink)), (3, Gen.Constant(TarEntryType.RegularFile)),
            (2, Gen.Constant(TarEntryType.Directory)), (1, Gen.Constant(TarEntryType.HardLink)))
        from depth in Gen.Frequency((3, Gen.Choose(1, 2)), (1, Gen.Constant(3)))
        from path in Gen.ArrayOf(Gen.Elements(Segments), depth)
        from length in Gen.Choose(1, 4)
        from other in Gen.ArrayOf(Gen.Elements(Segments), length % 3 + 1)
        from target in type == TarEntryType.HardLink ? Gen.Constant(string.Join('/', other)) : Gen.Frequency((1, Gen.Elements(Targets)), (3, Gen.ArrayOf(Gen.Elements(TargetSegments), length).Select(s => string.Join('/', s))))
        select new Spec(type, string.Join('/', path), target);

    [Fact]
    public void Unpack_AnyLinkChain_NeverReachesOutsideTheRelease()
    {
        // One entry per path: a second entry at a path is refused at once, which would hide the rest.
        var archives = Gen.Choose(1, 6).SelectMany(n => Gen.ArrayOf(Entry(), n)).Select(a => a.DistinctBy(e => e.Path).ToArray());
        var property = Prop.ForAll(Arb.From(archives), specs =>
        {
            using var box = new ArchiveSandbox();
            var before = box.Outside();
            var archive = box.Archive(specs.Select(ToEntry).ToArray());

            var error = ArchiveUnpacker.Unpack(archive, box.Target);

            box.Outside().ShouldBe(before, $"archive: {string.Join("; ", specs.AsEnumerable())}");
            box.Leftovers().Where(d => d != box.Target).ShouldBeEmpty();
            if (error is null)
                foreach (var link in ArchiveSandbox.Walk(box.Target).Where(e => e.LinkTarget is not null).Select(e => e.FullName))
                    StaysInside(box.Target, link).ShouldBeTrue($"{link} leaves the release; archive: {string.Join("; ", specs.AsEnumerable())}");
            using var check = File.OpenRead(archive);
            (ArchiveCheck.Inspect(check).Count == 0).ShouldBe(error is null, $"check and unpack disagree ({error}); archive: {string.Join("; ", specs.AsEnumerable())}");
        });
        Check.One(FsCheck.Config.QuickThrowOnFailure.WithMaxTest(500), property);
    }

    private static TarEntry ToEntry(Spec spec) => spec.Type switch
    {
        TarEntryType.SymbolicLink => Link(spec.Path, spec.Target),
        TarEntryType.HardLink => HardLink(spec.Path, spec.Target),
        TarEntryType.Directory => Folder(spec.Path),
        _ => FileEntry(spec.Path, spec.Path),
    };

    /// <summary>Follows a link on disk component by component, as path resolution does; false if it ever leaves <paramref name="root"/>.</summary>
    private static bool StaysInside(string root, string link)
    {
        var depth = 0;
        return Walk(root, Path.GetDirectoryName(link)!, new FileInfo(link).LinkTarget!, ref depth) is not null;
    }

    private static string? Walk(string root, string at, string target, ref int depth)
    {
        if (target.StartsWith('/'))
            return null;
        foreach (var part in target.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (part == ".")
                continue;
            at = part == ".." ? Path.GetDirectoryName(at)! : Path.Combine(at, part);
            if (at != root && !at.StartsWith(root + "/", StringComparison.Ordinal))
                return null;
            if (part != ".." && new FileInfo(at).LinkTarget is { } next)
            {
                if (++depth > 40)
                    return at; // a loop: the kernel gives up (ELOOP) without leaving
                var resolved = Walk(root, Path.GetDirectoryName(at)!, next, ref depth);
                if (resolved is null)
                    return null;
                at = resolved;
            }
        }
        return at;
    }
}
