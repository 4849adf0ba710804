using Crossfade.Core.Specs;

namespace Crossfade.Tests.Core.Specs;

public class AppSpecParserTests
{
    private const string Valid = """
        app: gear-shop
        run: dotnet GearShop.dll
        worker: dotnet GearShop.dll worker
        migrate: dotnet GearShop.dll migrate
        health:
          path: /health
          timeout_seconds: 20
        shared: [data, uploads]
        env:
          SHOP_MODE: live
        environments:
          production:
            hosts:
              web-1: [web]
              worker-1: [worker, migrator]
        """;

    [Fact]
    public void Parse_ValidSpec_ReadsEveryField()
    {
        var result = AppSpecParser.Parse(Valid);

        result.Errors.ShouldBeEmpty();
        var spec = result.Spec!;
        spec.Name.ShouldBe("gear-shop");
        spec.Migrate.ShouldBe("dotnet GearShop.dll migrate");
        spec.Health.ShouldBe(new HealthSpec("/health", 20));
        spec.SharedPaths.ShouldBe(["data", "uploads"]);
        spec.Env["SHOP_MODE"].ShouldBe("live");
        spec.Environments["production"].Hosts.Single(h => h.Name == "worker-1").Roles.ShouldBe(["worker", "migrator"]);
        spec.ProxyPort.ShouldBe(8080);
        spec.WorkerSettleSeconds.ShouldBe(1, "a new worker is trusted after a second up unless the spec says otherwise");
    }

    [Theory]
    [InlineData("worker_settle_seconds: 2.5", 2.5, null)]
    [InlineData("worker_settle_seconds: -1", 1, "must be between 0 and 60, not -1")]
    [InlineData("worker_settle_seconds: soon", 1, "must be a number")]
    public void Parse_WorkerSettleSeconds_IsReadOrRefusedSayingWhy(string line, double expected, string? error)
    {
        var result = AppSpecParser.Parse($"app: a\nrun: x\nworker: y\n{line}\nenvironments:\n  prod:\n    hosts:\n      w-1: [worker]\n");

        if (error is null)
            result.Spec!.WorkerSettleSeconds.ShouldBe(expected);
        else
            result.Errors.ShouldContain(e => e.Field == "worker_settle_seconds" && e.Message == error && e.Line == 4);
    }

    [Fact]
    public void Parse_SeveralMistakes_ReportsEveryOneWithItsLine()
    {
        const string yaml = """
            app: Gear Shop
            health:
              path: health
              timeout_seconds: lots
            colour: blue
            environments:
              production:
                hosts:
                  web-1: [web, cache]
            """;

        var errors = AppSpecParser.Parse(yaml, "shop.yml").Errors;

        errors.ShouldContain(e => e.Field == "app" && e.Line == 1);
        errors.ShouldContain(e => e.Field == "run" && e.Message == "is required");
        errors.ShouldContain(e => e.Field == "health.path" && e.Line == 3);
        errors.ShouldContain(e => e.Field == "health.timeout_seconds" && e.Line == 4);
        errors.ShouldContain(e => e.Field == "colour" && e.Line == 5);
        errors.ShouldContain(e => e.Field == "environments.production.hosts.web-1" && e.Message.Contains("cache") && e.Line == 9);
        errors.ShouldAllBe(e => e.File == "shop.yml");
    }

    [Fact]
    public void Parse_WorkerRoleWithoutWorkerCommand_IsAnError()
    {
        var yaml = "app: a\nrun: x\nenvironments:\n  prod:\n    hosts:\n      w-1: [worker]\n";

        AppSpecParser.Parse(yaml).Errors.ShouldContain(e => e.Message.Contains("no 'worker' command"));
    }

    [Fact]
    public void Parse_BrokenYaml_ReportsSyntaxErrorWithPosition()
    {
        var result = AppSpecParser.Parse("app: [unclosed\nrun: x\n");

        result.IsValid.ShouldBeFalse();
        result.Errors.Single().Field.ShouldBe("(syntax)");
        result.Errors.Single().Line.ShouldBeGreaterThan(0);
    }

    [Theory]
    [InlineData("shared: [/etc]")]
    [InlineData("shared: [../up]")]
    public void Parse_SharedPathOutsideRelease_IsAnError(string line)
    {
        var yaml = $"app: a\nrun: x\n{line}\nenvironments:\n  prod:\n    hosts:\n      w-1: [web]\n";

        AppSpecParser.Parse(yaml).Errors.ShouldContain(e => e.Field == "shared");
    }

    [Fact]
    public void Parse_Checks_ReadsCriticalPathsWithDefaults()
    {
        var yaml = "app: a\nrun: x\nchecks:\n  - name: browse\n    path: /listings\n    expect_body: Shoes\n  - name: buy\n    method: post\n    path: /checkout\n    body: '{}'\n    expect_status: 201\nenvironments:\n  prod:\n    hosts:\n      w-1: [web]\n";

        var checks = AppSpecParser.Parse(yaml).Spec!.CriticalPaths;

        checks.Count.ShouldBe(2);
        checks[0].ShouldBe(new Crossfade.Contracts.V1.CheckDefinition("browse", "GET", "/listings", null, "application/json", 200, "Shoes"));
        checks[1].Method.ShouldBe("POST");
        checks[1].ExpectStatus.ShouldBe(201);
    }

    [Fact]
    public void Parse_BadChecks_ReportsEachProblemWithItsLine()
    {
        const string yaml = """
            app: a
            run: x
            checks:
              - name: browse
                path: listings
                method: FETCH
              - name: browse
                method: GET
                path: /x
                body: nope
                expect_status: 42
            environments:
              prod:
                hosts:
                  w-1: [web]
            """;

        var errors = AppSpecParser.Parse(yaml).Errors;

        errors.ShouldContain(e => e.Field == "checks[0].path" && e.Line == 5);
        errors.ShouldContain(e => e.Field == "checks[0].method" && e.Line == 6);
        errors.ShouldContain(e => e.Field == "checks[1].name" && e.Message.Contains("another check"));
        errors.ShouldContain(e => e.Field == "checks[1].body");
        errors.ShouldContain(e => e.Field == "checks[1].expect_status" && e.Line == 11);
    }

    [Fact]
    public void Parse_TheExampleAppsOwnSpec_IsValid()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (!File.Exists(Path.Combine(dir.FullName, "examples", "gear-shop", "crossfade.yml")))
            dir = dir.Parent!;

        var result = AppSpecParser.Parse(File.ReadAllText(Path.Combine(dir.FullName, "examples", "gear-shop", "crossfade.yml")));

        result.Errors.ShouldBeEmpty();
        result.Spec!.CriticalPaths.Select(c => c.Name).ShouldBe(["browse listings", "make an offer", "check out"]);
    }

    [Theory]
    [InlineData("production", "web-3", "client_max_body_size 1024k;", "\"currency\": \"EUR\"")]
    [InlineData("production", "web-1", "client_max_body_size 512k;", "Free shipping on orders over 50 EUR")]
    [InlineData("staging", "staging-web-1", "rate=60r/m", "STAGING: test cards only")]
    public void Compile_TheExampleAppsOwnConfig_RendersEveryHostWithItsOwnValues(string environment, string host, string inLimits, string inSettings)
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (!File.Exists(Path.Combine(dir.FullName, "examples", "gear-shop", "crossfade.yml")))
            dir = dir.Parent!;
        var example = Path.Combine(dir.FullName, "examples", "gear-shop");
        var spec = AppSpecParser.Parse(File.ReadAllText(Path.Combine(example, "crossfade.yml"))).Spec!;
        var (file, errors) = Crossfade.Core.Config.ConfigFileParser.Parse(File.ReadAllText(Path.Combine(example, spec.Config!.File)), spec.Config.File);
        errors.ShouldBeEmpty();
        var templates = file!.TemplatePaths.ToDictionary(t => t, t => File.ReadAllText(Path.Combine(example, t)));

        var (hosts, compileErrors) = Crossfade.Core.Config.ConfigCompiler.Compile(file, templates,
            Crossfade.Core.Config.ConfigVariables.ForEnvironment(spec, environment, "1.0.0"),
            new Dictionary<string, string> { ["payment_api_key"] = "pk_test_123" }, spec.Config.Secrets, "{name}");

        compileErrors.ShouldBeEmpty();
        hosts![host].Resources.Single(r => r.Path == "proxy/limits.conf").Content!.ShouldContain(inLimits);
        hosts[host].Resources.Single(r => r.Path == "settings/gear-shop.json").Content!.ShouldContain(inSettings);
        hosts[host].Redact.ShouldBe(["pk_test_123"]);
    }
}
