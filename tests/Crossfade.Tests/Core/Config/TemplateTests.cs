using Crossfade.Core.Config;

namespace Crossfade.Tests.Core.Config;

public class TemplateTests
{
    [Fact]
    public void Render_FillsEveryPlaceholder()
    {
        var (template, errors) = Template.Parse("host={{ host }}\nport={{port}}\n", "t.tmpl");

        errors.ShouldBeEmpty();
        var (text, missing) = template!.Render(new Dictionary<string, string> { ["host"] = "web-1", ["port"] = "8080" });
        text.ShouldBe("host=web-1\nport=8080\n");
        missing.ShouldBeEmpty();
    }

    [Fact]
    public void Render_MissingVariable_IsNamedNotGuessed()
    {
        var (template, _) = Template.Parse("a={{ a }}\nb={{ b }}\n", "t.tmpl");

        var (_, missing) = template!.Render(new Dictionary<string, string> { ["a"] = "1" });

        missing.ShouldBe(["b"]);
        template.Variables.Single(v => v.Name == "b").Line.ShouldBe(2);
    }

    [Fact]
    public void Parse_UnclosedPlaceholder_ReportsItsLineAndColumn()
    {
        var (template, errors) = Template.Parse("ok\nvalue={{ broken\n", "t.tmpl");

        template.ShouldBeNull();
        errors.ShouldHaveSingleItem().ShouldSatisfyAllConditions(
            e => e.Line.ShouldBe(2),
            e => e.Column.ShouldBe(7),
            e => e.File.ShouldBe("t.tmpl"));
    }

    [Fact]
    public void Parse_NotAName_IsAnError()
    {
        var (_, errors) = Template.Parse("{{ 1+1 }}", "t.tmpl");

        errors.ShouldHaveSingleItem().Message.ShouldContain("not a variable name");
    }
}
