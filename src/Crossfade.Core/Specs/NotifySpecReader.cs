using YamlDotNet.RepresentationModel;

namespace Crossfade.Core.Specs;

/// <summary>Reads an environment's <c>notify:</c>, a list of targets: <c>- slack: SECRET_NAME</c> and so on.</summary>
internal static class NotifySpecReader
{
    private const int MaxTargets = 20;

    public static List<NotifySpec> Read(SpecNodeReader reader, YamlMappingNode envMap, string prefix)
    {
        var result = new List<NotifySpec>();
        if (!envMap.Children.TryGetValue(new YamlScalarNode("notify"), out var node))
            return result;
        if (node is not YamlSequenceNode list)
        {
            reader.Error(node, prefix + "notify", "must be a list of targets, such as '- slack: deploys_webhook_url'");
            return result;
        }
        foreach (var (item, index) in list.Children.Select((n, i) => (n, i)))
        {
            var at = $"{prefix}notify[{index}].";
            if (item is not YamlMappingNode map)
            {
                reader.Error(item, prefix + "notify", "every target is a mapping such as '{ slack: deploys_webhook_url }'");
                continue;
            }
            reader.RejectUnknownKeys(map, [.. NotifyKinds.Targets, "events", "channel", "signing_secret", "api"], at);
            var kinds = NotifyKinds.Targets.Where(k => map.Children.ContainsKey(new YamlScalarNode(k))).ToList();
            if (kinds.Count != 1)
            {
                reader.Error(map, at[..^1], $"names one target: {string.Join(", ", NotifyKinds.Targets)} (each the name of the app secret holding its URL or token)");
                continue;
            }
            var kind = kinds[0];
            var secret = reader.OptionalString(map, kind, at);
            if (secret is null || !SecretName(secret))
            {
                reader.ErrorAt(map, kind, "is the name of an app secret (letters, digits and '_'), set with 'crossfade secret set'; never the URL itself", at);
                continue;
            }
            var events = map.Children.ContainsKey(new YamlScalarNode("events")) ? reader.StringList(map, "events") : [.. NotifyKinds.Notices];
            foreach (var unknown in events.Where(e => !NotifyKinds.Notices.Contains(e)))
                reader.ErrorAt(map, "events", $"'{unknown}' is not a notice; they are: {string.Join(", ", NotifyKinds.Notices)}", at);
            var channel = reader.OptionalString(map, "channel", at);
            if (kind == NotifyKinds.SlackBot && string.IsNullOrWhiteSpace(channel))
                reader.ErrorAt(map, "channel", "a Slack bot posts to a channel: give its id or name", at, required: true);
            var signing = reader.OptionalString(map, "signing_secret", at);
            if (kind == NotifyKinds.Webhook && signing is null)
                reader.ErrorAt(map, "signing_secret", "a webhook's notices are signed the Standard Webhooks way: name the app secret holding the key", at, required: true);
            if (signing is not null && !SecretName(signing))
                reader.ErrorAt(map, "signing_secret", "is the name of an app secret", at);
            var api = reader.OptionalString(map, "api", at);
            if (api is not null && !(Uri.TryCreate(api, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"))
                reader.ErrorAt(map, "api", $"'{api}' is not an http(s) address", at);
            result.Add(new NotifySpec(kind, secret, events, channel, signing, api));
        }
        if (result.Count > MaxTargets)
            reader.Error(list, prefix + "notify", $"at most {MaxTargets} targets, not {result.Count}");
        return result;
    }

    private static bool SecretName(string name) =>
        name.Length is > 0 and <= 64 && char.IsAsciiLetter(name[0]) && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');
}
