using Crossfade.Core.Config;

namespace Crossfade.Tests.Core.Config;

public class ConfigFileParserTests
{
    [Fact]
    public void Parse_EveryResourceType_ReadsThemInOrder()
    {
        var (file, errors) = ConfigFileParser.Parse("""
            resources:
              - directory: settings
                mode: "0750"
              - file: settings/app.json
                template: config/app.json.tmpl
                mode: "0640"
                notifies: [reload, "command:restart-edge"]
              - file: motd
                content: hello
              - link: current.json
                to: settings/app.json
              - command: restart-edge
                run: echo restarted
                action: nothing
              - command: seed
                run: touch seeded
                creates: seeded
                unless: test -f skip
                only_if: true
            """, "config.yml");

        errors.ShouldBeEmpty();
        file!.Resources.Select(r => r.Id).ShouldBe(["directory[settings]", "file[settings/app.json]", "file[motd]", "link[current.json]", "command[restart-edge]", "command[seed]"]);
        file.Resources[1].Notifies.ShouldBe(["reload", "command:restart-edge"]);
        file.Resources[4].OnlyWhenNotified.ShouldBeTrue();
        file.Resources[5].Creates.ShouldBe("seeded");
        file.TemplatePaths.ShouldBe(["config/app.json.tmpl"]);
    }

    [Fact]
    public void Parse_ManyMistakes_ReportsEachWithItsLine()
    {
        var (file, errors) = ConfigFileParser.Parse("""
            resources:
              - service: nginx
              - file: a.conf
                content: x
                mode: 644x
              - file: a.conf/
                content: y
              - link: ../escape
                to: /etc/passwd
              - file: b.conf
              - command: go
                run: true
                action: sometimes
                notifies: [command:missing]
              - directory: d
                owner: www-data
            """, "config.yml");

        file.ShouldBeNull();
        var lines = errors.Select(e => (e.Line, e.Message)).ToList();
        lines.ShouldContain(l => l.Line == 2 && l.Message.Contains("unknown resource type 'service'"));
        lines.ShouldContain(l => l.Line == 5 && l.Message.Contains("'644x' is not a file mode"));
        lines.ShouldContain(l => l.Line == 6 && l.Message.Contains("declared twice"));
        lines.ShouldContain(l => l.Line == 8 && l.Message.Contains("without '..'"));
        lines.ShouldContain(l => l.Line == 10 && l.Message.Contains("exactly one of 'content'"));
        lines.ShouldContain(l => l.Line == 13 && l.Message.Contains("'sometimes' is not an action"));
        lines.ShouldContain(l => l.Line == 11 && l.Message.Contains("no command named 'missing'"));
        lines.ShouldContain(l => l.Line == 16 && l.Message.Contains("unknown key"));
        errors.ShouldAllBe(e => e.File == "config.yml");
    }

    [Fact]
    public void Parse_NotAList_SaysWhatIsExpected()
    {
        var (_, errors) = ConfigFileParser.Parse("resources: nope", "c.yml");

        errors.ShouldHaveSingleItem().Message.ShouldContain("a list of resources");
    }

    [Fact]
    public void Parse_BrokenYaml_ReportsSyntaxWithPosition()
    {
        var (_, errors) = ConfigFileParser.Parse("resources:\n  - file: a\n    content: [unclosed\n", "c.yml");

        errors.ShouldNotBeEmpty();
        errors[0].Field.ShouldBe("(syntax)");
    }
}
