using Crossfade.Contracts.V1;
using YamlDotNet.RepresentationModel;

namespace Crossfade.Core.Specs;

/// <summary>Reads the spec's <c>checks:</c>, the site's critical paths, each as an HTTP request and its expected answer.</summary>
internal static class CheckSpecReader
{
    private static readonly string[] Keys = ["name", "method", "path", "body", "content_type", "expect_status", "expect_body"];
    private static readonly string[] Methods = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"];

    public static List<CheckDefinition> Read(SpecNodeReader reader, YamlMappingNode root)
    {
        var checks = new List<CheckDefinition>();
        if (!root.Children.TryGetValue(new YamlScalarNode("checks"), out var node))
            return checks;
        if (node is not YamlSequenceNode list)
        {
            reader.Error(node, "checks", "must be a list of checks (name, path, expect_status, ...)");
            return checks;
        }
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < list.Children.Count; i++)
        {
            var prefix = $"checks[{i}].";
            if (list.Children[i] is not YamlMappingNode item)
            {
                reader.Error(list.Children[i], $"checks[{i}]", "must be a mapping");
                continue;
            }
            reader.RejectUnknownKeys(item, Keys, prefix);
            var name = reader.RequiredString(item, "name", prefix) ?? $"check {i + 1}";
            if (!names.Add(name))
                reader.ErrorAt(item, "name", $"'{name}' is used by another check", prefix);
            var method = (reader.OptionalString(item, "method", prefix) ?? "GET").ToUpperInvariant();
            if (!Methods.Contains(method))
                reader.ErrorAt(item, "method", $"must be one of {string.Join(", ", Methods)}", prefix);
            var path = reader.RequiredString(item, "path", prefix) ?? "/";
            if (!path.StartsWith('/'))
                reader.ErrorAt(item, "path", "must start with '/'", prefix);
            var body = reader.OptionalString(item, "body", prefix);
            if (body is not null && method is "GET" or "HEAD")
                reader.ErrorAt(item, "body", $"a {method} request carries no body", prefix);
            var contentType = reader.OptionalString(item, "content_type", prefix) ?? "application/json";
            var status = reader.OptionalInt(item, "expect_status", 200, 100, 599, prefix);
            checks.Add(new CheckDefinition(name, method, path, body, contentType, status, reader.OptionalString(item, "expect_body", prefix)));
        }
        return checks;
    }
}
