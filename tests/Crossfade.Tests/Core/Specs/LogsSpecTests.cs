using Crossfade.Core.Specs;

namespace Crossfade.Tests.Core.Specs;

public class LogsSpecTests
{
    private const string Base = """
        app: gear-shop
        run: dotnet GearShop.dll
        environments:
          production:
            hosts:
              web-1: [web]
            exporters:
              datadog_events: https://dd.example/api/v1/events
              datadog_api_key_secret: dd_key

        """;

    [Fact]
    public void Logs_FilesAndErrorPatterns_AreRead_AndExporterKeysNamed()
    {
        var result = AppSpecParser.Parse(Base + """
            logs:
              files: [shared/data/payments.log, /var/log/gear-shop/*.log]
              error_patterns: ['payment provider (error|timeout)', '^PANIC']
            """);

        result.Errors.ShouldBeEmpty();
        result.Spec!.LogSettings.Files.ShouldBe(["shared/data/payments.log", "/var/log/gear-shop/*.log"]);
        result.Spec.LogSettings.ErrorPatterns.Count.ShouldBe(2);
        result.Spec.Environments["production"].Exporters!.DatadogApiKeySecret.ShouldBe("dd_key");
    }

    [Fact]
    public void Logs_Absent_MeansNone()
    {
        var spec = AppSpecParser.Parse(Base).Spec!;

        spec.LogSettings.Files.ShouldBeEmpty();
        spec.LogSettings.ErrorPatterns.ShouldBeEmpty();
    }

    [Fact]
    public void Logs_BadEntries_AreEachReportedWithTheirLine()
    {
        var result = AppSpecParser.Parse(Base + """
            logs:
              files: [../../etc/passwd, 'shared/*/x.log', shared/log/]
              error_patterns: ['(unclosed']
              levels: [error]
            """);

        var errors = result.Errors.Select(e => $"{e.Line}: {e.Field}: {e.Message}").ToList();
        result.Spec.ShouldBeNull();
        errors.ShouldContain(e => e.Contains("'../../etc/passwd': must not contain '..'") && e.StartsWith("11:"));
        errors.ShouldContain(e => e.Contains("'shared/*/x.log': wildcards"));
        errors.ShouldContain(e => e.Contains("'shared/log/': must name a file"));
        errors.ShouldContain(e => e.Contains("'(unclosed' is not a valid regular expression") && e.StartsWith("12:"));
        errors.ShouldContain(e => e.Contains("logs.levels") && e.Contains("unknown key"));
    }

    [Fact]
    public void ExporterKey_WithoutItsEndpoint_OrNotASecretName_IsAnError()
    {
        var result = AppSpecParser.Parse(Base.Replace("datadog_api_key_secret: dd_key", "datadog_api_key_secret: dd-key\n      elasticsearch_api_key_secret: es_key"));

        var errors = result.Errors.Select(e => e.Message).ToList();
        errors.ShouldContain(m => m.Contains("'dd-key' is not a secret name"));
        errors.ShouldContain(m => m.Contains("'elasticsearch_bulk', which is not set"));
    }
}
