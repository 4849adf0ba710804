using Crossfade.Contracts.V1;
using Crossfade.Core.Config;
using Crossfade.Core.Specs;

namespace Crossfade.Tests.Core.Config;

public class ConfigCompilerTests
{
    private const string Spec = """
        app: shop
        run: ./shop
        config:
          file: deploy/config.yml
          variables:
            banner: hello
            limit: "10"
          secrets: [api_key]
        environments:
          production:
            variables:
              banner: hello production
            hosts:
              web-1: [web]
              web-2:
                roles: [web]
                variables:
                  limit: "20"
        """;

    private const string Resources = """
        resources:
          - file: app.json
            template: deploy/app.json.tmpl
          - file: limits.conf
            template: deploy/limits.tmpl
          - command: warm
            run: echo {{ banner }}
        """;

    private static (IReadOnlyDictionary<string, HostConfig>? Hosts, IReadOnlyList<SpecError> Errors) Compile(
        Dictionary<string, string> templates, Dictionary<string, string>? secrets = null)
    {
        var spec = AppSpecParser.Parse(Spec).Spec!;
        var file = ConfigFileParser.Parse(Resources, "deploy/config.yml").File!;
        return ConfigCompiler.Compile(file, templates, ConfigVariables.ForEnvironment(spec, "production", "2.0.0"),
            secrets ?? new Dictionary<string, string> { ["api_key"] = "s3cr3t-value" }, spec.Config!.Secrets, "set {name}");
    }

    [Fact]
    public void Compile_HostValuesWinOverEnvironmentOverApp()
    {
        var (hosts, errors) = Compile(new()
        {
            ["deploy/app.json.tmpl"] = "{{ banner }} on {{ host }} ({{ env }}, {{ release }})",
            ["deploy/limits.tmpl"] = "limit {{ limit }}",
        });

        errors.ShouldBeEmpty();
        hosts!["web-1"].Resources[0].Content.ShouldBe("hello production on web-1 (production, 2.0.0)");
        hosts["web-1"].Resources[1].Content.ShouldBe("limit 10");
        hosts["web-2"].Resources[1].Content.ShouldBe("limit 20");
        hosts["web-2"].Resources[2].Run.ShouldBe("echo hello production");
    }

    [Fact]
    public void Compile_SecretUsed_IsRenderedAndListedForRedaction()
    {
        var (hosts, _) = Compile(new() { ["deploy/app.json.tmpl"] = "key={{ api_key }}", ["deploy/limits.tmpl"] = "x" });

        hosts!["web-1"].Resources[0].Content.ShouldBe("key=s3cr3t-value");
        hosts["web-1"].Redact.ShouldBe(["s3cr3t-value"]);
        hosts["web-1"].SecretsUsed.ShouldBe(["api_key"]);
    }

    [Fact]
    public void Compile_SecretNotUsed_IsNotSentAtAll()
    {
        var (hosts, _) = Compile(new() { ["deploy/app.json.tmpl"] = "x", ["deploy/limits.tmpl"] = "y" });

        hosts!["web-1"].Redact.ShouldBeEmpty();
        hosts["web-1"].Resources.ShouldAllBe(r => r.Content == null || !r.Content.Contains("s3cr3t"));
    }

    [Fact]
    public void Compile_MissingVariablesAndTemplate_ReportsFileLineAndHosts()
    {
        var (hosts, errors) = Compile(new() { ["deploy/app.json.tmpl"] = "ok\n{{ colour }}\n{{ api_key }}" }, secrets: []);

        hosts.ShouldBeNull();
        errors.ShouldContain(e => e.File == "deploy/config.yml" && e.Line == 4 && e.Message.Contains("'deploy/limits.tmpl' is not in the release"));
        // The template that is missing stops rendering: the others' errors are reported when it is back.
        errors.Count.ShouldBe(1);

        var (_, more) = Compile(new() { ["deploy/app.json.tmpl"] = "ok\n{{ colour }}\n{{ api_key }}", ["deploy/limits.tmpl"] = "x" }, secrets: []);
        more.ShouldContain(e => e.File == "deploy/app.json.tmpl" && e.Line == 2 && e.Message == "the variable 'colour' has no value on any host (web-1, web-2)");
        more.ShouldContain(e => e.File == "deploy/app.json.tmpl" && e.Line == 3 && e.Message.Contains("the secret 'api_key' has no value; set api_key"));
    }
}
