using System.Formats.Tar;
using Crossfade.Core.Artifacts;
using static Crossfade.Tests.Core.Artifacts.ArchiveSandbox;

namespace Crossfade.Tests.Core.Artifacts;

public sealed class ArchiveTests : IDisposable
{
    private readonly ArchiveSandbox _box = new();
    private readonly string _dir = Directory.CreateTempSubdirectory("cf-archive-").FullName;

    public void Dispose()
    {
        _box.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private string Archive(params TarEntry[] entries) => _box.Archive(entries);

    public static TheoryData<string, string> Hostile => new()
    {
        { "../escape.txt", "escapes" },
        { "app/../../escape.txt", "escapes" },
        { "/etc/passwd", "absolute" },
    };

    [Theory]
    [MemberData(nameof(Hostile))]
    public void Unpack_EntryOutsideFolder_IsRefusedAndNothingIsUnpacked(string name, string why)
    {
        var archive = Archive(FileEntry("ok.txt"), FileEntry(name));
        var target = Path.Combine(_dir, "release");

        var error = ArchiveUnpacker.Unpack(archive, target);

        error.ShouldNotBeNull();
        error.ShouldContain(why);
        Directory.Exists(target).ShouldBeFalse();
        File.Exists(Path.Combine(_dir, "escape.txt")).ShouldBeFalse();
        Directory.GetDirectories(_dir).ShouldBeEmpty();
    }

    [Theory]
    [InlineData("/etc")]
    [InlineData("../../outside")]
    [InlineData("sub/../../outside")]
    public void Unpack_LinkPointingOut_IsRefused(string target)
    {
        var archive = Archive(FileEntry("app.dll"), Link("data", target));

        ArchiveUnpacker.Unpack(archive, Path.Combine(_dir, "release"))!.ShouldContain("link");
        Directory.Exists(Path.Combine(_dir, "release")).ShouldBeFalse();
    }

    [Fact]
    public void Unpack_SafeArchive_WritesFilesAndInnerLinks()
    {
        var archive = Archive(FileEntry("bin/app.dll", "code"), Link("bin/current.dll", "app.dll"));
        var target = Path.Combine(_dir, "release");

        ArchiveUnpacker.Unpack(archive, target).ShouldBeNull();

        File.ReadAllText(Path.Combine(target, "bin", "app.dll")).ShouldBe("code");
        File.ReadAllText(Path.Combine(target, "bin", "current.dll")).ShouldBe("code");
    }

    [Fact]
    public void Inspect_GarbageBytes_SaysItIsNotAnArchive()
    {
        using var garbage = new MemoryStream("this is not a tarball"u8.ToArray());

        ArchiveCheck.Inspect(garbage).ShouldHaveSingleItem().ShouldContain("not a valid");
    }

    [Fact]
    public void Pack_ThenUnpack_RoundTripsAFolderAndHashesStably()
    {
        var source = Directory.CreateDirectory(Path.Combine(_dir, "src")).FullName;
        File.WriteAllText(Path.Combine(source, "a.txt"), "alpha");
        Directory.CreateDirectory(Path.Combine(source, "sub"));
        File.WriteAllText(Path.Combine(source, "sub", "b.txt"), "beta");
        var first = Path.Combine(_dir, "1.tar.gz");
        var second = Path.Combine(_dir, "2.tar.gz");
        using (var s = File.Create(first)) ArchivePacker.Pack(source, s);
        using (var s = File.Create(second)) ArchivePacker.Pack(source, s);

        ArchiveUnpacker.Unpack(first, Path.Combine(_dir, "out")).ShouldBeNull();

        File.ReadAllText(Path.Combine(_dir, "out", "sub", "b.txt")).ShouldBe("beta");
        File.ReadAllBytes(first).ShouldBe(File.ReadAllBytes(second));
    }
}
