using Crossfade.Core.Specs;

namespace Crossfade.Tests.Core.Specs;

public class ConfigSpecTests
{
    [Fact]
    public void Parse_ConfigSection_ReadsFileVariablesSecretsAndHostVariables()
    {
        var result = AppSpecParser.Parse("""
            app: shop
            run: ./shop
            config:
              file: deploy/config.yml
              variables: { banner: hi }
              secrets: [api_key, db_password]
            environments:
              production:
                variables: { banner: hello }
                hosts:
                  web-1: [web]
                  web-2: { roles: [web], variables: { weight: "2" } }
            """);

        result.Errors.ShouldBeEmpty();
        var spec = result.Spec!;
        spec.Config!.File.ShouldBe("deploy/config.yml");
        spec.Config.Secrets.ShouldBe(["api_key", "db_password"]);
        spec.Environments["production"].Variables!["banner"].ShouldBe("hello");
        spec.Environments["production"].Hosts[1].Roles.ShouldBe(["web"]);
        spec.Environments["production"].Hosts[1].Variables!["weight"].ShouldBe("2");
    }

    [Fact]
    public void Parse_BadConfigSection_ReportsEveryProblem()
    {
        var result = AppSpecParser.Parse("""
            app: shop
            run: ./shop
            config:
              file: ../outside.yml
              variables: { host: mine, api_key: plain, "bad-name": x }
              secrets: [api_key]
              templates: nope
            environments:
              production:
                hosts:
                  web-1: { roles: [web], colour: blue }
            """);

        result.IsValid.ShouldBeFalse();
        var messages = result.Errors.Select(e => e.Message).ToList();
        messages.ShouldContain(m => m.Contains("must be a relative path inside the release"));
        messages.ShouldContain(m => m.Contains("'api_key' is both a variable and a secret"));
        messages.ShouldContain(m => m.Contains("'host' is set by Crossfade itself"));
        messages.ShouldContain(m => m.Contains("'bad-name' is not a variable name"));
        result.Errors.ShouldContain(e => e.Field == "config.templates" && e.Line == 7);
        result.Errors.ShouldContain(e => e.Field == "environments.production.hosts.web-1.colour" && e.Line == 11);
    }

    [Fact]
    public void Parse_VariablesWithoutConfig_AreRefused() =>
        AppSpecParser.Parse("""
            app: shop
            run: ./shop
            environments:
              production:
                variables: { banner: hi }
                hosts: { web-1: [web] }
            """).Errors.ShouldContain(e => e.Message.Contains("no 'config.file'"));

    [Fact]
    public void Parse_Exporters_NeedHttpUrls()
    {
        var result = AppSpecParser.Parse("""
            app: shop
            run: ./shop
            environments:
              production:
                hosts: { web-1: [web] }
                exporters:
                  datadog_events: ftp://events.example
                  elasticsearch_bulk: http://127.0.0.1:9200/_bulk
                  kafka: x
            """);

        result.Errors.ShouldContain(e => e.Field == "environments.production.exporters.datadog_events" && e.Message.Contains("is not an http(s) URL"));
        result.Errors.ShouldContain(e => e.Field == "environments.production.exporters.kafka" && e.Message.Contains("unknown key"));
    }
}
