using System.Formats.Tar;

namespace Crossfade.Core.Artifacts;

/// <summary>
/// Where <see cref="ArchiveWalk"/> puts each entry once the rules have accepted it: nowhere (a check)
/// or a folder on disk (an unpack). The sink may throw <see cref="IOException"/>.
/// </summary>
internal interface IArchiveSink
{
    void Directory(string[] path);
    void File(string[] path, TarEntry entry);
    void Link(string[] path, string target);
    void HardLink(string[] path, string[] target);
}
