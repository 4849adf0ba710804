namespace Crossfade.Hosts;

/// <summary>Where a host is reached over SSH: <c>user@address[:port]</c> (an IPv6 address in brackets: <c>root@[2001:db8::5]:2222</c>).</summary>
public sealed record SshTarget(string User, string Address, int Port)
{
    public static SshTarget Parse(string text)
    {
        var at = text.IndexOf('@');
        if (at <= 0 || at == text.Length - 1)
            throw new ArgumentException($"--ssh '{text}' must be user@address[:port]");
        var (user, rest) = (text[..at], text[(at + 1)..]);
        string address;
        var port = 22;
        if (rest.StartsWith('['))
        {
            var close = rest.IndexOf(']');
            if (close < 0)
                throw new ArgumentException($"--ssh '{text}': an IPv6 address goes in brackets, [::1]");
            address = rest[1..close];
            if (rest.Length > close + 1 && (rest[close + 1] != ':' || !int.TryParse(rest[(close + 2)..], out port)))
                throw new ArgumentException($"--ssh '{text}': the port after the address is a number");
        }
        else
        {
            var colon = rest.LastIndexOf(':');
            address = colon < 0 ? rest : rest[..colon];
            if (colon >= 0 && !int.TryParse(rest[(colon + 1)..], out port))
                throw new ArgumentException($"--ssh '{text}': the port after the address is a number");
        }
        if (port is < 1 or > 65535)
            throw new ArgumentException($"--ssh '{text}': port {port} is not a TCP port");
        // Nothing that ssh would read as an option or a second host.
        if (user.StartsWith('-') || address.StartsWith('-') || (user + address).Any(c => char.IsWhiteSpace(c) || char.IsControl(c) || c is '\'' or '"' or ';' or '`' or '$'))
            throw new ArgumentException($"--ssh '{text}' is not a user and an address");
        return new SshTarget(user, address, port);
    }

    public override string ToString() => $"{User}@{(Address.Contains(':') ? $"[{Address}]" : Address)}:{Port}";
}
