using Crossfade.Contracts.V1;
using Crossfade.Core.Specs;

namespace Crossfade.Tests.Core.Specs;

/// <summary>The spec's <c>proxy:</c>: its port, and HTTPS with certificates per host name, the redirect and HSTS.</summary>
public class ProxySpecTests
{
    private const string Base = "app: shop\nrun: ./run\nenvironments:\n  prod:\n    hosts:\n      web-1: [web]\n";

    [Fact]
    public void Parse_NoTls_ServesPlainHttpOnly()
    {
        var spec = AppSpecParser.Parse(Base + "proxy:\n  port: 80\n").Spec!;

        (spec.ProxyPort, spec.ProxyTls).ShouldBe((80, null));
    }

    [Fact]
    public void Parse_Tls_IsReadWhole_AndBecomesTheProxysArguments()
    {
        var spec = AppSpecParser.Parse(Base + """
            proxy:
              port: 80
              tls:
                port: 443
                redirect_https: true
                hsts_max_age_seconds: 15552000
                certificates:
                  - hosts: [shop.example.com, WWW.shop.example.com]
                    cert: /etc/crossfade/tls/shop.crt
                    key: /etc/crossfade/tls/shop.key
                  - hosts: "*.admin.example.com"
                    cert: /etc/crossfade/tls/admin.crt
                    key: /etc/crossfade/tls/admin.key
            """).Spec!;

        var tls = spec.ProxyTls.ShouldNotBeNull();
        (tls.Port, tls.RedirectHttps, tls.HstsMaxAgeSeconds).ShouldBe((443, true, 15552000));
        tls.Certificates[0].Hosts.ShouldBe(["shop.example.com", "www.shop.example.com"]);
        tls.Certificates[1].ShouldBe(new ProxyCertificate(["*.admin.example.com"], "/etc/crossfade/tls/admin.crt", "/etc/crossfade/tls/admin.key"), new ProxyCertificateComparer());
        tls.Arguments().ShouldBe([
            "--tls-port", "443",
            "--cert", "shop.example.com,www.shop.example.com=/etc/crossfade/tls/shop.crt,/etc/crossfade/tls/shop.key",
            "--cert", "*.admin.example.com=/etc/crossfade/tls/admin.crt,/etc/crossfade/tls/admin.key",
            "--redirect-https", "--hsts-max-age", "15552000",
        ]);
        Crossfade.Agent.Proxy.Tls.CertificateFiles.Parse(tls.Arguments()[3]).Names.ShouldBe(["shop.example.com", "www.shop.example.com"], "the proxy reads back what the spec wrote");
    }

    [Fact]
    public void Parse_BadTls_NamesEveryProblemWithItsPlace()
    {
        var result = AppSpecParser.Parse(Base + """
            proxy:
              port: 8443
              tls:
                port: 8443
                redirect_https: sometimes
                hsts_max_age_seconds: -1
                certificates:
                  - hosts: [shop.example.com, "bad name", "evil.com,x=/etc/shadow"]
                    cert: relative/shop.crt
                    key: /etc/tls/../shadow
                  - hosts: []
                    cert: /a.crt
            """);

        result.Spec.ShouldBeNull();
        var fields = result.Errors.Select(e => e.Field).ToList();
        fields.ShouldContain("proxy.tls.port");
        fields.ShouldContain("proxy.tls.redirect_https");
        fields.ShouldContain("proxy.tls.hsts_max_age_seconds");
        result.Errors.Count(e => e.Field == "proxy.tls.certificates[0].hosts").ShouldBe(2);
        fields.ShouldContain("proxy.tls.certificates[0].cert");
        fields.ShouldContain("proxy.tls.certificates[0].key");
        fields.ShouldContain("proxy.tls.certificates[1].hosts");
        fields.ShouldContain("proxy.tls.certificates[1].key");
        result.Errors.ShouldAllBe(e => e.Line > 0);
    }

    [Fact]
    public void Parse_Hosts_NameTheAppOnASharedPort()
    {
        var spec = AppSpecParser.Parse(Base + "proxy:\n  port: 80\n  hosts: [Shop.Example.com, www.shop.example.com, shop.example.com]\n").Spec!;

        spec.ProxyHosts.ShouldBe(["shop.example.com", "www.shop.example.com"]);
        Crossfade.Server.Deploys.RuntimeFactory.From(spec).ProxyHosts.ShouldBe(spec.ProxyHosts, "the hosts reach the agent");
    }

    [Fact]
    public void Parse_BadHosts_AreRefusedNamingEach()
    {
        var result = AppSpecParser.Parse(Base + "proxy:\n  hosts: [\"*.shop.example.com\", \"shop example\"]\n");

        result.Spec.ShouldBeNull();
        result.Errors.Count(e => e.Field == "proxy.hosts").ShouldBe(2);
        AppSpecParser.Parse(Base + "proxy:\n  hosts: []\n").Errors.ShouldContain(e => e.Field == "proxy.hosts" && e.Message.Contains("at least one host name"));
    }

    [Fact]
    public void Parse_TlsWithoutCertificates_IsRefused()
    {
        var result = AppSpecParser.Parse(Base + "proxy:\n  tls:\n    port: 443\n");

        result.Errors.ShouldContain(e => e.Field == "proxy.tls.certificates" && e.Message.Contains("at least one certificate"));
    }

    [Fact]
    public void Parse_AnAppSharingItsPort_BringsCertificatesForItsOwnNamesOnly()
    {
        const string Tls = "  tls:\n    certificates:\n      - hosts: [shop.example.com, \"*.shop.example.com\", blog.example.com]\n        cert: /etc/ssl/shop.crt\n        key: /etc/ssl/shop.key\n";

        var shared = AppSpecParser.Parse(Base + "proxy:\n  hosts: [shop.example.com, www.shop.example.com]\n" + Tls);
        var alone = AppSpecParser.Parse(Base + "proxy:\n" + Tls);

        shared.Spec.ShouldBeNull();
        shared.Errors.ShouldHaveSingleItem().Field.ShouldBe("proxy.tls.certificates[0].hosts");
        shared.Errors[0].Message.ShouldContain("'blog.example.com' is none of proxy.hosts");
        alone.Errors.ShouldBeEmpty("an app with a port of its own serves whatever names it has certificates for");
    }

    private sealed class ProxyCertificateComparer : IEqualityComparer<ProxyCertificate>
    {
        public bool Equals(ProxyCertificate? a, ProxyCertificate? b) =>
            a is not null && b is not null && a.Hosts.SequenceEqual(b.Hosts) && a.Cert == b.Cert && a.Key == b.Key;

        public int GetHashCode(ProxyCertificate c) => c.Cert.GetHashCode(StringComparison.Ordinal);
    }
}
