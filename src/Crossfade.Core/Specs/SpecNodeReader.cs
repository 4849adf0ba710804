using System.Globalization;
using YamlDotNet.RepresentationModel;

namespace Crossfade.Core.Specs;

/// <summary>Typed reads of YAML nodes that record an error, with its position, instead of throwing.</summary>
internal sealed class SpecNodeReader(SpecErrorList errors)
{
    public void Error(YamlNode node, string field, string message) =>
        errors.Add((int)node.Start.Line, (int)node.Start.Column, field, message);

    public void ErrorAt(YamlMappingNode map, string key, string message, string prefix = "", bool required = false)
    {
        var node = Find(map, key);
        if (node is null || required)
            Error(map, prefix + key, message);
        else
            Error(node, prefix + key, message);
    }

    public void RejectUnknownKeys(YamlMappingNode map, IReadOnlyCollection<string> known, string prefix)
    {
        foreach (var key in map.Children.Keys)
        {
            var name = (key as YamlScalarNode)?.Value ?? "?";
            if (!known.Contains(name))
                Error(key, prefix + name, $"unknown key (known here: {string.Join(", ", known)})");
        }
    }

    public string? RequiredString(YamlMappingNode map, string key, string prefix = "")
    {
        var value = OptionalString(map, key, prefix);
        if (value is null && Find(map, key) is null)
            Error(map, prefix + key, "is required");
        return value;
    }

    public string? OptionalString(YamlMappingNode map, string key, string prefix = "")
    {
        var node = Find(map, key);
        if (node is null)
            return null;
        if (node is not YamlScalarNode scalar || string.IsNullOrWhiteSpace(scalar.Value))
        {
            Error(node, prefix + key, "must be a non-empty string");
            return null;
        }
        return scalar.Value;
    }

    public int OptionalInt(YamlMappingNode map, string key, int fallback, int min, int max, string prefix = "")
    {
        var node = Find(map, key);
        if (node is null)
            return fallback;
        if (node is YamlScalarNode { Value: { } text } && int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
        {
            if (value >= min && value <= max)
                return value;
            Error(node, prefix + key, $"must be between {min} and {max}, not {value}");
            return fallback;
        }
        Error(node, prefix + key, "must be a whole number");
        return fallback;
    }

    public double OptionalDouble(YamlMappingNode map, string key, double fallback, double min, double max, string prefix = "")
    {
        var node = Find(map, key);
        if (node is null)
            return fallback;
        if (node is YamlScalarNode { Value: { } text } && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value))
        {
            if (value >= min && value <= max)
                return value;
            Error(node, prefix + key, string.Create(CultureInfo.InvariantCulture, $"must be between {min} and {max}, not {value}"));
            return fallback;
        }
        Error(node, prefix + key, "must be a number");
        return fallback;
    }

    public YamlMappingNode? OptionalMapping(YamlMappingNode map, string key, string prefix = "")
    {
        var node = Find(map, key);
        if (node is null or YamlMappingNode)
            return node as YamlMappingNode;
        Error(node, prefix + key, "must be a mapping");
        return null;
    }

    public List<string> StringList(YamlMappingNode map, string key)
    {
        var node = Find(map, key);
        return node is null ? [] : ScalarList(node, key);
    }

    public List<string> ScalarList(YamlNode node, string field)
    {
        if (node is YamlScalarNode single && !string.IsNullOrWhiteSpace(single.Value))
            return [.. single.Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];
        if (node is not YamlSequenceNode seq)
        {
            Error(node, field, "must be a list of strings");
            return [];
        }
        var items = new List<string>();
        foreach (var item in seq.Children)
        {
            if (item is YamlScalarNode { Value: { Length: > 0 } text })
                items.Add(text);
            else
                Error(item, field, "every item must be a non-empty string");
        }
        return items;
    }

    public Dictionary<string, string> StringMap(YamlMappingNode map, string key, string prefix = "")
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        var node = OptionalMapping(map, key, prefix);
        if (node is null)
            return result;
        foreach (var (k, v) in node.Children)
        {
            var name = (k as YamlScalarNode)?.Value ?? "";
            if (v is YamlScalarNode { Value: { } text })
                result[name] = text;
            else
                Error(v, $"{prefix}{key}.{name}", "must be a string");
        }
        return result;
    }

    private static YamlNode? Find(YamlMappingNode map, string key) =>
        map.Children.TryGetValue(new YamlScalarNode(key), out var node) ? node : null;
}
