using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Crossfade.Agent.Proxy.Tls;

/// <summary>
/// The certificates the proxy's HTTPS port serves, chosen per connection by the name the client asks for
/// (SNI): the exact name, else a wildcard of it, else the first certificate. The files are read again when they
/// change (checked every two seconds): new connections get the new certificate, open ones keep theirs. A file
/// that does not load (half written, a key that does not match) leaves the one before in place, and says why.
/// </summary>
public sealed class ProxyCertificates : IDisposable
{
    private readonly IReadOnlyList<CertificateFiles> _files;
    private readonly Action<string> _warn;
    private readonly ITimer _timer;
    private readonly Loaded?[] _loaded;

    private sealed record Loaded(SslServerAuthenticationOptions Options, DateTime CertWritten, DateTime KeyWritten, string Subject);

    public ProxyCertificates(IReadOnlyList<CertificateFiles> files, TimeProvider time, Action<string> warn)
    {
        if (files.Count == 0)
            throw new ArgumentException("HTTPS at the proxy needs at least one certificate (--cert)");
        (_files, _warn) = (files, warn);
        _loaded = new Loaded?[files.Count];
        for (var i = 0; i < files.Count; i++)
            _loaded[i] = Load(files[i], null) ?? throw new ArgumentException($"the certificate for {string.Join(", ", files[i].Names)} could not be read from {files[i].CertPath} and {files[i].KeyPath}");
        _timer = time.CreateTimer(_ => Refresh(), null, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(2));
    }

    /// <summary>The subject of the certificate served for <paramref name="serverName"/> now.</summary>
    public string SubjectFor(string? serverName) => Volatile.Read(ref _loaded[IndexFor(serverName)])!.Subject;

    /// <summary>The handshake's settings for the name a client asked for.</summary>
    public SslServerAuthenticationOptions For(string? serverName) => Volatile.Read(ref _loaded[IndexFor(serverName)])!.Options;

    private int IndexFor(string? serverName)
    {
        if (string.IsNullOrEmpty(serverName))
            return 0;
        var name = serverName.ToLowerInvariant();
        var dot = name.IndexOf('.', StringComparison.Ordinal);
        var wildcard = dot > 0 ? "*" + name[dot..] : null;
        for (var i = 0; i < _files.Count; i++)
            if (_files[i].Names.Contains(name))
                return i;
        for (var i = 0; i < _files.Count; i++)
            if (wildcard is not null && _files[i].Names.Contains(wildcard))
                return i;
        return 0;
    }

    /// <summary>Reads again the files that changed since they were loaded.</summary>
    public void Refresh()
    {
        for (var i = 0; i < _files.Count; i++)
        {
            // On the timer's thread: nothing may escape (it would end the process); the one before stays served.
            try
            {
                var before = Volatile.Read(ref _loaded[i]);
                if (Load(_files[i], before) is { } next && !ReferenceEquals(next, before))
                    Volatile.Write(ref _loaded[i], next);
            }
            catch (Exception ex)
            {
                _warn($"the certificate for {string.Join(", ", _files[i].Names)} could not be checked: {ex.Message}");
            }
        }
    }

    private Loaded? Load(CertificateFiles files, Loaded? before)
    {
        // The times are read once, before the files: a pair renamed in between is read again on the next beat.
        var (certWritten, keyWritten) = (File.GetLastWriteTimeUtc(files.CertPath), File.GetLastWriteTimeUtc(files.KeyPath));
        try
        {
            if (before is not null && before.CertWritten == certWritten && before.KeyWritten == keyWritten)
                return before;
            var chain = new X509Certificate2Collection();
            chain.ImportFromPemFile(files.CertPath);
            var leaf = X509Certificate2.CreateFromPemFile(files.CertPath, files.KeyPath);
            var extra = new X509Certificate2Collection(chain.Cast<X509Certificate2>().Where(c => c.Thumbprint != leaf.Thumbprint).ToArray());
            var context = SslStreamCertificateContext.Create(leaf, extra, offline: true);
            var options = new SslServerAuthenticationOptions
            {
                ServerCertificateContext = context,
                ApplicationProtocols = [SslApplicationProtocol.Http11],
                ClientCertificateRequired = false,
            };
            return new Loaded(options, certWritten, keyWritten, leaf.Subject);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException or ArgumentException)
        {
            _warn($"the certificate for {string.Join(", ", files.Names)} could not be read from {files.CertPath} and {files.KeyPath}: {ex.Message}" +
                (before is null ? "" : "; the one loaded before is still served"));
            return before is null ? null : before with { CertWritten = certWritten, KeyWritten = keyWritten };
        }
    }

    public void Dispose() => _timer.Dispose();
}
