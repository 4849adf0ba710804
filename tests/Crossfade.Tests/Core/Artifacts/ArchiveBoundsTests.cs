using System.Formats.Tar;
using Crossfade.Core.Artifacts;
using static Crossfade.Tests.Core.Artifacts.ArchiveSandbox;

namespace Crossfade.Tests.Core.Artifacts;

/// <summary>The bounds of a release archive, enforced while it streams, and what an unpacked file may keep.</summary>
public sealed class ArchiveBoundsTests : IDisposable
{
    private readonly ArchiveSandbox _box = new();
    private static readonly ArchiveLimits Small = new() { MaxUnpackedBytes = 1 << 20, MaxEntries = 10 };

    public void Dispose() => _box.Dispose();

    [Fact]
    public void Unpack_MoreBytesThanTheLimit_IsRefusedBeforeTheRestIsWritten()
    {
        // 8 MiB of zeros compress to under 100 KiB: a small bomb against a 1 MiB limit.
        var archive = _box.Archive(Zeros("a.bin", 512 * 1024), Zeros("bomb.bin", 8 << 20));
        new FileInfo(archive).Length.ShouldBeLessThan(128 * 1024);

        var error = ArchiveUnpacker.Unpack(archive, _box.Target, Small);

        error.ShouldNotBeNull();
        error.ShouldContain($"more than {1 << 20} bytes");
        Directory.Exists(_box.Target).ShouldBeFalse();
        _box.Leftovers().ShouldBeEmpty();
    }

    [Fact]
    public void Unpack_HardLinksMultiplyingOneFile_CountAsCopies()
    {
        var archive = _box.Archive(Zeros("big", 600 * 1024), HardLink("again", "big"));

        ArchiveUnpacker.Unpack(archive, _box.Target, Small)!.ShouldContain("more than");
        ArchiveUnpacker.Unpack(archive, _box.Target).ShouldBeNull();
    }

    [Fact]
    public void Inspect_MoreEntriesThanTheLimit_IsRefused()
    {
        using var archive = File.OpenRead(_box.Archive(Enumerable.Range(0, 11).Select(i => (TarEntry)FileEntry($"f{i}")).ToArray()));

        ArchiveCheck.Inspect(archive, Small).ShouldHaveSingleItem().ShouldContain("more than 10 entries");
    }

    [Fact]
    public void Inspect_NameLongerThanAFileSystemAllows_IsRefused()
    {
        using var archive = File.OpenRead(_box.Archive(FileEntry(new string('n', 256))));

        ArchiveCheck.Inspect(archive).ShouldHaveSingleItem().ShouldContain("longer than 255 bytes");
    }

    [Fact]
    public void Inspect_HugeMetadataRecord_IsRefusedBeforeTheReaderHoldsIt()
    {
        // An 8 MiB PAX attribute compresses to a few KiB; the tar reader would keep it whole in memory.
        var entry = FileEntry("a");
        var bloated = new PaxTarEntry(TarEntryType.RegularFile, "b", new Dictionary<string, string> { ["comment"] = new string('x', 8 << 20) })
        {
            DataStream = new MemoryStream("b"u8.ToArray()),
        };
        var path = _box.Archive(entry, bloated);
        new FileInfo(path).Length.ShouldBeLessThan(256 * 1024);
        using var archive = File.OpenRead(path);
        var before = GC.GetAllocatedBytesForCurrentThread();

        var problems = ArchiveCheck.Inspect(archive);

        problems.ShouldHaveSingleItem().ShouldContain("metadata record (tar type 'x')");
        (GC.GetAllocatedBytesForCurrentThread() - before).ShouldBeLessThan(4L << 20, "the record was held in memory");
    }

    [Fact]
    public void Inspect_LongNamesAndSmallMetadata_AreStillRead()
    {
        var longName = string.Join('/', Enumerable.Repeat("folder-name", 40)) + "/file.txt";
        using var archive = File.OpenRead(_box.Archive(FileEntry(longName), new PaxTarEntry(TarEntryType.RegularFile, "c",
            new Dictionary<string, string> { ["comment"] = "small" }) { DataStream = new MemoryStream("c"u8.ToArray()) }));

        ArchiveCheck.Inspect(archive).ShouldBeEmpty();
    }

    [Fact]
    public void Inspect_PathDeeperThanTheLimit_IsRefused()
    {
        using var archive = File.OpenRead(_box.Archive(FileEntry(string.Join('/', Enumerable.Repeat("d", 129)) + "/f")));

        ArchiveCheck.Inspect(archive).ShouldHaveSingleItem().ShouldContain("folders deep (at most 128)");
    }

    [Fact]
    public void Unpack_LinksThatTakeTooMuchWorkToResolve_AreRefused()
    {
        var links = Enumerable.Range(0, 10).Select(i => (TarEntry)Link($"l{i}", "a/b/c/d/e/f")).ToArray();

        var error = ArchiveUnpacker.Unpack(_box.Archive(links), _box.Target, new ArchiveLimits { MaxLinkSteps = 40 });

        error.ShouldNotBeNull();
        error.ShouldContain("walked more than 40 path segments");
        ArchiveUnpacker.Unpack(_box.Archive(links), _box.Target).ShouldBeNull();
    }

    [Theory]
    [InlineData(TarEntryType.CharacterDevice)]
    [InlineData(TarEntryType.BlockDevice)]
    [InlineData(TarEntryType.Fifo)]
    public void Unpack_DevicesAndPipes_AreRefused(TarEntryType type)
    {
        var error = ArchiveUnpacker.Unpack(_box.Archive(FileEntry("ok"), new PaxTarEntry(type, "dev")), _box.Target);

        error.ShouldNotBeNull();
        error.ShouldContain("entry 'dev'");
        error.ShouldContain(type.ToString());
        Directory.Exists(_box.Target).ShouldBeFalse();
    }

    [Fact]
    public void Unpack_SetUserIdBits_AreDroppedAndExecuteBitsKept()
    {
        var tool = FileEntry("bin/tool", "#!/bin/sh");
        tool.Mode = UnixFileMode.SetUser | UnixFileMode.SetGroup | UnixFileMode.StickyBit | UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

        ArchiveUnpacker.Unpack(_box.Archive(tool), _box.Target).ShouldBeNull();

        var mode = File.GetUnixFileMode(Path.Combine(_box.Target, "bin", "tool"));
        (mode & (UnixFileMode.SetUser | UnixFileMode.SetGroup | UnixFileMode.StickyBit)).ShouldBe((UnixFileMode)0);
        mode.HasFlag(UnixFileMode.UserExecute).ShouldBeTrue();
    }

    [Fact]
    public void Unpack_TruncatedArchive_IsRefusedAndNothingStays()
    {
        var archive = _box.Archive(Zeros("a", 100_000), Zeros("b", 100_000));
        var bytes = File.ReadAllBytes(archive);
        File.WriteAllBytes(archive, bytes[..(bytes.Length / 2)]);

        ArchiveUnpacker.Unpack(archive, _box.Target).ShouldNotBeNull();

        Directory.Exists(_box.Target).ShouldBeFalse();
        _box.Leftovers().ShouldBeEmpty();
    }
}
