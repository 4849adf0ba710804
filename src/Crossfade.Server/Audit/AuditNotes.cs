using Microsoft.AspNetCore.Http;

namespace Crossfade.Server.Audit;

/// <summary>
/// What a handler adds to its request's audit record: parameters read from the body (never a secret's
/// value), the environment when the body names it, and the reason of a refusal rendered as a page.
/// </summary>
public sealed class AuditNotes
{
    private readonly Dictionary<string, string> _parameters = new(StringComparer.Ordinal);

    public IReadOnlyDictionary<string, string> Parameters => _parameters;

    public string? App { get; set; }

    /// <summary>Who acted when no token says so: a webhook's sender ("github:ana").</summary>
    public string? Actor { get; set; }

    public string? Environment { get; set; }

    public string? Reason { get; set; }

    /// <summary>Adds a parameter; a null or empty value is left out.</summary>
    public AuditNotes Add(string name, object? value)
    {
        var text = Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture);
        if (!string.IsNullOrEmpty(text))
            _parameters[name] = AuditText.Clean(text, 300);
        return this;
    }
}

/// <summary>The notes of the request being handled; a request that changes nothing has none, and notes added to it go nowhere.</summary>
public static class AuditNotesExtensions
{
    public static AuditNotes Audit(this HttpContext context) => context.Features.Get<AuditNotes>() ?? new AuditNotes();
}
