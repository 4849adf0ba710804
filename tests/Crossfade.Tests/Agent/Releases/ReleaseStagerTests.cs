using System.Formats.Tar;
using System.IO.Compression;
using System.Net;
using System.Security.Cryptography;
using Crossfade.Agent;
using Crossfade.Agent.Hosting;
using Crossfade.Agent.Releases;
using Crossfade.Agent.Steps;
using Crossfade.Contracts.V1;

namespace Crossfade.Tests.Agent.Releases;

public sealed class ReleaseStagerTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("cf-stage-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    /// <summary>Stands in for the server's artifact download.</summary>
    private sealed class ArtifactHandler(byte[] artifact) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent(artifact) });
    }

    private static byte[] Artifact(string version)
    {
        var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
        using (var tar = new TarWriter(gzip))
        {
            var entry = new PaxTarEntry(TarEntryType.RegularFile, "VERSION") { DataStream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(version)) };
            tar.WriteEntry(entry);
        }
        return buffer.ToArray();
    }

    private static StepPayload Payload(string version, byte[] artifact) =>
        new("shop", version, Convert.ToHexStringLower(SHA256.HashData(artifact)), ["web"],
            new AppRuntime("./run", null, null, "/health", 30, 8080, 10, 5, ["data"], new Dictionary<string, string>()));

    [Fact]
    public async Task AReleaseLeftHalfStagedByAKilledAgent_IsStagedAgain_ButOneWithOtherContentIsRefused()
    {
        var artifact = Artifact("2.0.0");
        var layout = new HostLayout(_root, "shop");
        var stager = new ReleaseStager(new ServerClient(new HttpClient(new ArtifactHandler(artifact)) { BaseAddress = new Uri("http://127.0.0.1:1/") }), TimeProvider.System);
        // What a kill between the rename into place and the marker leaves: the folder, no marker, no shared links.
        Directory.CreateDirectory(layout.Release("2.0.0"));
        File.WriteAllText(Path.Combine(layout.Release("2.0.0"), "VERSION"), "2.0.0");
        var log = new StepLog(TimeProvider.System);

        var restaged = await stager.StageAsync(layout, Payload("2.0.0", artifact), log, CancellationToken.None);
        var again = await stager.StageAsync(layout, Payload("2.0.0", artifact), log, CancellationToken.None);
        var other = await stager.StageAsync(layout, Payload("2.0.0", Artifact("2.0.0-rebuilt")), log, CancellationToken.None);

        restaged.ShouldBeNull();
        log.Tail(20).ShouldContain("left half-staged by an interrupted prepare");
        File.ReadAllText(layout.Marker("2.0.0")).ShouldBe(Payload("2.0.0", artifact).Sha256);
        new DirectoryInfo(Path.Combine(layout.Release("2.0.0"), "data")).LinkTarget.ShouldNotBeNull("the shared paths are linked this time");
        again.ShouldBeNull();
        other.ShouldNotBeNull().ShouldContain("exists with other content");
    }
}
