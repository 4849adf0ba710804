using System.Security.Cryptography;
using Crossfade.Core.Artifacts;
using Microsoft.AspNetCore.Http;

namespace Crossfade.Server.Releases;

/// <summary>
/// Receives a release archive: streams it to disk while hashing, refuses it when it is too large or
/// unsafe to unpack, and stores it under its SHA-256.
/// </summary>
public sealed class ReleaseUpload(ArtifactStore artifacts, ServerOptions options)
{
    public sealed record Outcome(string? Sha256, long Size, string? Error, int Status);

    public Task<Outcome> ReceiveAsync(HttpRequest request, CancellationToken ct) => ReceiveAsync(request.Body, request.ContentLength, ct);

    /// <summary>Receives an archive from any stream: an upload's body, or a file a build packed.</summary>
    public async Task<Outcome> ReceiveAsync(Stream body, long? length, CancellationToken ct)
    {
        if (length is { } declared && declared > options.MaxUploadBytes)
            return new Outcome(null, declared, $"the upload is {declared} bytes; the limit is {options.MaxUploadBytes}", 413);
        var staging = artifacts.NewStagingPath();
        try
        {
            long size = 0;
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            await using (var file = File.Create(staging))
            {
                var buffer = new byte[81920];
                int read;
                while ((read = await body.ReadAsync(buffer, ct)) > 0)
                {
                    size += read;
                    if (size > options.MaxUploadBytes)
                        return new Outcome(null, size, $"the upload passed the limit of {options.MaxUploadBytes} bytes", 413);
                    hash.AppendData(buffer, 0, read);
                    await file.WriteAsync(buffer.AsMemory(0, read), ct);
                }
            }
            if (size == 0)
                return new Outcome(null, 0, "the body is empty: send the release as a gzip-compressed tar", 400);
            await using (var check = File.OpenRead(staging))
            {
                var problems = ArchiveCheck.Inspect(check, options.Releases);
                if (problems.Count > 0)
                    return new Outcome(null, size, "the archive was refused: " + string.Join("; ", problems.Take(10)), 422);
            }
            var sha = Convert.ToHexStringLower(hash.GetHashAndReset());
            artifacts.Commit(staging, sha);
            return new Outcome(sha, size, null, 201);
        }
        finally
        {
            if (File.Exists(staging))
                File.Delete(staging);
        }
    }
}
