using Crossfade.Core.Links;

namespace Crossfade.Agent.Hosting;

/// <summary>
/// The server key this agent trusts: pinned at enrollment (from the enrollment token, or <c>--fingerprint</c>)
/// and kept in <c>server.pin</c> beside the agent's token, readable by the agent's user only. Once kept, it is
/// the only key trusted: a token or option naming another does not replace it.
/// </summary>
public static class ServerPin
{
    public const string FileName = "server.pin";

    /// <summary>The pin to trust: the one kept, else the enrollment token's, else the option's; null when none (the system's authorities decide).</summary>
    public static string? Choose(AgentOptions options)
    {
        var kept = Path.Combine(options.Root, FileName);
        if (File.Exists(kept))
            return KeyPin.Parse(File.ReadAllText(kept)) ?? throw new InvalidOperationException($"{kept} does not hold a key pin: remove it and enroll again");
        var token = options.Token ?? (options.TokenFile is { } file && File.Exists(file) ? File.ReadAllText(file) : null);
        return (token is not null ? JoinToken.Split(token).Pin : null) ?? KeyPin.Parse(options.Fingerprint);
    }

    /// <summary>Keeps the pin for the agent's next starts.</summary>
    public static void Keep(string root, string pin)
    {
        Core.Files.PrivateFile.Write(Path.Combine(root, FileName), pin + "\n");
    }
}
