using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Crossfade.Core.Links;
using Microsoft.Extensions.Logging;

namespace Crossfade.Server.Tls;

/// <summary>
/// The certificate the server presents: the operator's (<c>--tls-cert</c>/<c>--tls-key</c>, PEM), read
/// again whenever either file changes (a renewal takes effect for new connections, open ones go on), or a
/// self-signed one made on first start and kept in the data folder, so its key pin never changes.
/// </summary>
public sealed class ServerCertificates : IDisposable
{
    private static readonly TimeSpan LookEvery = TimeSpan.FromSeconds(2);

    private readonly string _certPath;
    private readonly string _keyPath;
    private readonly bool _own;
    private readonly ILogger _logger;
    private readonly ITimer? _watch;
    private X509Certificate2 _current;
    private (DateTime, DateTime, long, long) _stamp;

    public ServerCertificates(ServerOptions options, TimeProvider time, ILogger<ServerCertificates> logger)
    {
        _logger = logger;
        _own = options.TlsCertPath is null;
        _certPath = options.TlsCertPath ?? Path.Combine(options.DataDir, "tls", "server.crt");
        _keyPath = options.TlsKeyPath ?? Path.Combine(options.DataDir, "tls", "server.key");
        if (_own && !File.Exists(_certPath))
            SelfSigned.Write(_certPath, _keyPath, options.Urls, time.GetUtcNow());
        _stamp = Stamp();
        _current = Load();
        if (!_own)
            _watch = time.CreateTimer(_ => Reload(), null, LookEvery, LookEvery);
    }

    /// <summary>The certificate new connections get.</summary>
    public X509Certificate2 Current => Volatile.Read(ref _current);

    /// <summary>The key pin of <see cref="Current"/>, as agents and people pin it.</summary>
    public string Pin => KeyPin.Of(Current);

    /// <summary>The server's key pin when it serves HTTPS; null when it serves plain HTTP only.</summary>
    public static string? PinOf(IServiceProvider services) => (services.GetService(typeof(ServerCertificates)) as ServerCertificates)?.Pin;

    /// <summary>Where the certificate comes from, for the start-up line.</summary>
    public string Source => _own ? $"self-signed, kept in {Path.GetDirectoryName(_certPath)}" : _certPath;

    private X509Certificate2 Load()
    {
        try
        {
            using var pem = X509Certificate2.CreateFromPemFile(_certPath, _keyPath);
            // Exported and loaded again: a key that lives only in memory is refused by TLS on some platforms.
            return X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
        }
        catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException)
        {
            throw new ArgumentException($"cannot read the TLS certificate {_certPath} with its key {_keyPath}: {e.Message}", e);
        }
    }

    private (DateTime, DateTime, long, long) Stamp()
    {
        var cert = new FileInfo(_certPath);
        var key = new FileInfo(_keyPath);
        return (cert.Exists ? cert.LastWriteTimeUtc : default, key.Exists ? key.LastWriteTimeUtc : default, cert.Exists ? cert.Length : -1, key.Exists ? key.Length : -1);
    }

    private void Reload()
    {
        var stamp = Stamp();
        if (stamp == _stamp)
            return;
        try
        {
            var next = Load();
            _stamp = stamp;
            var before = Pin;
            Volatile.Write(ref _current, next);
            var pin = KeyPin.Of(next);
            if (pin == before)
                _logger.LogInformation("TLS certificate {Path} read again: same key {Pin}, valid until {Until:u}", _certPath, pin, next.NotAfter.ToUniversalTime());
            else
                _logger.LogWarning("TLS certificate {Path} read again with a NEW KEY {Pin} (was {Before}): agents and logins pinned to the old key refuse this server until pinned again; renew over the same key (certbot --reuse-key) to keep the pin",
                    _certPath, pin, before);
        }
        catch (ArgumentException e)
        {
            // Half written, or a key that does not match yet: the certificate before serves on, and the next look tries again.
            _logger.LogWarning("TLS certificate not read again yet: {Reason}", e.Message);
        }
    }

    public void Dispose()
    {
        _watch?.Dispose();
        _current.Dispose();
    }
}
