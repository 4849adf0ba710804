using System.Formats.Tar;
using Crossfade.Core.Artifacts;
using static Crossfade.Tests.Core.Artifacts.ArchiveSandbox;

namespace Crossfade.Tests.Core.Artifacts;

/// <summary>Named ways out of a release folder through links, each refused with nothing written anywhere.</summary>
public sealed class ArchiveLinkTests : IDisposable
{
    private readonly ArchiveSandbox _box = new();

    public void Dispose() => _box.Dispose();

    public static TheoryData<string, TarEntry[], string> WaysOut => new()
    {
        { "a file written through a link to '.' then '..'", [Link("a", "."), Link("a/b", ".."), FileEntry("a/b/x", "escaped")], "passes through the link 'a'" },
        { "a folder written through a link", [Link("d", "sub/.."), Folder("d/evil")], "passes through the link 'd'" },
        { "a link through a link that climbs", [Link("s/l", ".."), Link("a", "s/l/..")], "out of the release folder" },
        { "a harmless link made harmful by a later one", [Link("a", "s/l/../../x"), Folder("s"), Link("s/l", "..")], "out of the release folder" },
        { "a link to a link to outside", [Link("s/up", ".."), Link("s/b", "up/..")], "out of the release folder" },
        { "a file that replaces a link", [Link("a", "sub"), FileEntry("a")], "replaces the earlier entry 'a'" },
        { "a link that replaces a file", [FileEntry("a"), Link("a", "b")], "replaces the earlier entry 'a'" },
        { "a link that replaces a folder", [Folder("a"), Link("a", "b")], "replaces the earlier entry 'a'" },
        { "a link that climbs and comes back", [Link("a", "../release/x")], "out of the release folder" },
        { "an absolute link", [Link("etc", "/etc")], "absolute path" },
        { "a hard link to a link", [Link("a", "b"), FileEntry("b"), HardLink("c", "a")], "not an earlier regular file" },
        { "a hard link to a later file", [HardLink("c", "b"), FileEntry("b")], "not an earlier regular file" },
        { "a hard link to a folder", [Folder("d"), HardLink("c", "d")], "not an earlier regular file" },
        { "a hard link out", [HardLink("c", "../x")], "escapes" },
        { "a hard link to an absolute path", [HardLink("c", "/etc/shadow")], "absolute" },
        { "a file inside a file", [FileEntry("f"), FileEntry("f/x")], "which is a file" },
        { "a backslash path", [FileEntry("..\\..\\x")], "backslash" },
        { "a control character", [FileEntry("a\u0007b")], "control character" },
    };

    [Theory]
    [MemberData(nameof(WaysOut))]
    public void Unpack_WayOut_IsRefusedNamingTheEntryAndNothingChangesOutside(string why, TarEntry[] entries, string expected)
    {
        var before = _box.Outside();
        var archive = _box.Archive(entries);

        var error = ArchiveUnpacker.Unpack(archive, _box.Target);

        error.ShouldNotBeNull(why);
        error.ShouldContain(expected, customMessage: why);
        error.ShouldContain("entry '", customMessage: why);
        Directory.Exists(_box.Target).ShouldBeFalse(why);
        _box.Leftovers().ShouldBeEmpty(why);
        _box.Outside().ShouldBe(before, why);
        using var again = File.OpenRead(archive);
        ArchiveCheck.Inspect(again).ShouldNotBeEmpty(why);
    }

    [Fact]
    public void Unpack_LinksThatStayInside_AreKept()
    {
        var archive = _box.Archive(
            Folder("./"), FileEntry("bin/app.dll", "code"), Link("bin/current.dll", "app.dll"), Link("lib", "bin"),
            Link("up/to-root", ".."), Link("via", "up/to-root/bin/app.dll"), HardLink("bin/copy.dll", "bin/app.dll"));

        ArchiveUnpacker.Unpack(archive, _box.Target).ShouldBeNull();

        File.ReadAllText(Path.Combine(_box.Target, "lib", "current.dll")).ShouldBe("code");
        File.ReadAllText(Path.Combine(_box.Target, "via")).ShouldBe("code");
        File.ReadAllText(Path.Combine(_box.Target, "bin", "copy.dll")).ShouldBe("code");
        new FileInfo(Path.Combine(_box.Target, "bin", "copy.dll")).LinkTarget.ShouldBeNull();
    }

    [Fact]
    public void Unpack_ChainLongerThanTheLinkDepth_IsRefused()
    {
        var chain = Enumerable.Range(0, 20).Select(i => (TarEntry)Link($"l{i}", $"l{i + 1}")).Append(FileEntry("l20")).ToArray();

        var error = ArchiveUnpacker.Unpack(_box.Archive(chain), _box.Target);

        error.ShouldNotBeNull();
        error.ShouldContain("more than 16 links");
    }

    [Fact]
    public void Inspect_SeveralProblems_ListsEachWithItsEntry()
    {
        using var archive = File.OpenRead(_box.Archive(FileEntry("ok"), FileEntry("../a"), Link("b", "/etc"), new PaxTarEntry(TarEntryType.Fifo, "pipe")));

        var problems = ArchiveCheck.Inspect(archive);

        problems.Count.ShouldBe(3);
        problems[0].ShouldStartWith("entry '../a'");
        problems[1].ShouldStartWith("entry 'b'");
        problems[2].ShouldStartWith("entry 'pipe'");
        problems[2].ShouldContain("Fifo");
    }
}
