using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace Crossfade.Agent.Proxy.Tls;

/// <summary>
/// The certificates the proxy's HTTPS port serves, chosen per connection by the name the client asks for
/// (SNI). They come from sources: the proxy's own (<c>--cert</c>, or <c>PUT /tls</c>) and each named site's, each
/// replaced whole without a restart. A name is looked for only among the certificates of the app it is routed to
/// (exact, then a wildcard, then that app's first), then among the proxy's own: one app's certificate never
/// answers for another app's names, and a name no app serves (or no name at all) gets the proxy's own first
/// certificate, or no handshake. The files are read again when they change (checked every two seconds): new connections get the
/// new certificate, open ones keep theirs. A file that does not load (half written, a key that does not
/// match) leaves the one before in place, and says why.
/// </summary>
public sealed class ProxyCertificates : IDisposable
{
    /// <summary>The source of the proxy's own certificates.</summary>
    public const string Own = "";

    private readonly Action<string> _warn;
    private readonly ITimer _timer;
    private readonly Lock _lock = new();
    // Replaced whole under the lock; read without it by every handshake.
    private Entry[] _entries = [];

    private sealed record Loaded(SslServerAuthenticationOptions Options, DateTime CertWritten, DateTime KeyWritten, string Subject);

    /// <summary>One certificate of one source, with what was last loaded from its files.</summary>
    private sealed class Entry(string source, CertificateFiles files, Loaded loaded)
    {
        public string Source { get; } = source;
        public CertificateFiles Files { get; } = files;
        public Loaded Loaded { get => Volatile.Read(ref loaded); set => Volatile.Write(ref loaded, value); }
    }

    // Which source (site) a name is routed to; none given: every name is the proxy's own.
    private readonly Func<string, string?> _sourceOf;

    public ProxyCertificates(IReadOnlyList<CertificateFiles> own, TimeProvider time, Action<string> warn, Func<string, string?>? sourceOf = null)
    {
        (_warn, _sourceOf) = (warn, sourceOf ?? (_ => Own));
        Set(Own, own);
        _timer = time.CreateTimer(_ => Refresh(), null, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(2));
    }

    /// <summary>Whether any certificate is served at all (a proxy of named sites may have none yet).</summary>
    public bool IsEmpty => Volatile.Read(ref _entries).Length == 0;

    /// <summary>Every certificate served now: whose it is (the proxy's own: empty), its names and its subject.</summary>
    public IReadOnlyList<ServedCertificate> Served() =>
        Volatile.Read(ref _entries).Select(e => new ServedCertificate(e.Source, e.Files.Names, e.Loaded.Subject)).ToList();

    /// <summary>The subject of the certificate served for <paramref name="serverName"/> now, or null when there is none.</summary>
    public string? SubjectFor(string? serverName) => Find(serverName)?.Loaded.Subject;

    /// <summary>The handshake's settings for the name a client asked for.</summary>
    public SslServerAuthenticationOptions For(string? serverName) =>
        Find(serverName)?.Loaded.Options ?? throw new AuthenticationException("no certificate is served on this port yet");

    /// <summary>
    /// Serves <paramref name="files"/> for <paramref name="source"/> from now on, instead of what it served
    /// before. Every file is read first: one that does not load changes nothing, and the exception says which.
    /// </summary>
    public void Set(string source, IReadOnlyList<CertificateFiles> files)
    {
        lock (_lock)
        {
            List<Entry> loaded;
            try
            {
                // Read again even when unchanged: a file the timer found broken must not pass as the good one kept.
                loaded = files.Select(f => new Entry(source, f, Read(f, before: null))).ToList();
            }
            catch (CertificateLoadException ex)
            {
                throw new ArgumentException(ex.Message, ex);
            }
            var others = _entries.Where(e => e.Source != source);
            _entries = (source == Own ? loaded.Concat(others) : others.Concat(loaded)).ToArray();
        }
    }

    /// <summary>Stops serving what <paramref name="source"/> brought.</summary>
    public void Remove(string source)
    {
        lock (_lock)
            _entries = _entries.Where(e => e.Source != source).ToArray();
    }

    private Entry? Find(string? serverName)
    {
        var entries = Volatile.Read(ref _entries);
        if (entries.Length == 0)
            return null;
        if (string.IsNullOrEmpty(serverName))
            return FirstOf(entries, Own);
        var name = serverName.ToLowerInvariant();
        var source = _sourceOf(name) ?? Own;
        return Match(entries, source, name) ?? (source == Own ? null : Match(entries, Own, name)) ?? FirstOf(entries, source) ?? FirstOf(entries, Own);
    }

    /// <summary>The source's certificate for the exact name, else for a wildcard of it.</summary>
    private static Entry? Match(Entry[] entries, string source, string name)
    {
        foreach (var entry in entries)
            if (entry.Source == source && entry.Files.Names.Contains(name))
                return entry;
        var dot = name.IndexOf('.', StringComparison.Ordinal);
        if (dot <= 0)
            return null;
        var wildcard = "*" + name[dot..];
        foreach (var entry in entries)
            if (entry.Source == source && entry.Files.Names.Contains(wildcard))
                return entry;
        return null;
    }

    private static Entry? FirstOf(Entry[] entries, string source) => entries.FirstOrDefault(e => e.Source == source);

    /// <summary>Reads again the files that changed since they were loaded.</summary>
    public void Refresh()
    {
        foreach (var entry in Volatile.Read(ref _entries))
        {
            // On the timer's thread: nothing may escape (it would end the process); the one before stays served.
            try
            {
                var before = entry.Loaded;
                if (Load(entry.Files, before) is var next && !ReferenceEquals(next, before))
                    entry.Loaded = next;
            }
            catch (Exception ex)
            {
                _warn($"the certificate for {string.Join(", ", entry.Files.Names)} could not be checked: {ex.Message}");
            }
        }
    }

    /// <summary>What the files hold now, or what was loaded before when they did not change; throws when they do not load.</summary>
    private static Loaded Read(CertificateFiles files, Loaded? before)
    {
        // The times are read once, before the files: a pair renamed in between is read again on the next beat.
        var (certWritten, keyWritten) = (File.GetLastWriteTimeUtc(files.CertPath), File.GetLastWriteTimeUtc(files.KeyPath));
        if (before is not null && before.CertWritten == certWritten && before.KeyWritten == keyWritten)
            return before;
        try
        {
            CheckFile(files.CertPath);
            CheckFile(files.KeyPath);
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
            throw new CertificateLoadException(
                $"the certificate for {string.Join(", ", files.Names)} could not be read from {files.CertPath} and {files.KeyPath}: {ex.Message}",
                before is null ? null : before with { CertWritten = certWritten, KeyWritten = keyWritten });
        }
    }

    /// <summary>
    /// A PEM file is a regular file of some bytes, at most 1 MiB: a pipe or a device (which report no size) is
    /// refused before it is opened, so reading it can neither wait forever nor fill the memory.
    /// </summary>
    private static void CheckFile(string path)
    {
        var info = new FileInfo(path);
        if (!info.Exists)
            throw new IOException($"{path} is not a file");
        if (info.Length is 0 or > MaxFileBytes)
            throw new IOException($"{path} is not a certificate or key file (empty, not a regular file, or over {MaxFileBytes / 1024} KiB)");
    }

    private const long MaxFileBytes = 1 << 20;

    /// <summary>Files that did not load; <see cref="Kept"/> is what stays served, marked with the files' new times.</summary>
    private sealed class CertificateLoadException(string message, Loaded? kept) : Exception(message)
    {
        public Loaded? Kept { get; } = kept;
    }

    /// <summary>For the timer: what to serve now, never throwing; a file that does not load keeps the one before.</summary>
    private Loaded Load(CertificateFiles files, Loaded before)
    {
        try
        {
            return Read(files, before);
        }
        catch (CertificateLoadException ex)
        {
            _warn(ex.Message + "; the one loaded before is still served");
            return ex.Kept ?? before;
        }
    }

    public void Dispose() => _timer.Dispose();
}

/// <summary>A certificate the HTTPS port serves, as the control port lists it.</summary>
public sealed record ServedCertificate(string Source, IReadOnlyList<string> Names, string Subject);
