using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http;

namespace Crossfade.Server.Api;

/// <summary>
/// Reads a JSON request body and, when it cannot, answers a ProblemDetails that says what is wrong and
/// where (line, position, field), rather than a bare 400.
/// </summary>
public static class JsonBody
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter() },
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
    };

    public const long MaxBytes = 4 << 20;

    public static async Task<(T? Value, IResult? Error)> ReadAsync<T>(HttpRequest request, CancellationToken ct) where T : class
    {
        if (request.ContentLength is > MaxBytes)
            return (null, Results.Problem(title: "Payload too large", detail: $"a JSON body may be at most {MaxBytes} bytes", statusCode: 413));
        if (request.ContentType is { } type && !type.Contains("json", StringComparison.OrdinalIgnoreCase))
            return (null, Problems.BadRequest($"expected a JSON body (Content-Type: application/json), got '{type}'", 415));
        try
        {
            var value = await JsonSerializer.DeserializeAsync<T>(request.Body, Options, ct);
            return value is null ? (null, Problems.BadRequest("the body is empty or null; expected a JSON object")) : (value, null);
        }
        catch (JsonException ex)
        {
            var where = ex.Path is { Length: > 1 } path ? $" at {path}" : "";
            var line = ex.LineNumber is { } l ? $" (line {l + 1}, position {ex.BytePositionInLine + 1})" : "";
            return (null, Problems.BadRequest($"the JSON body is malformed or has a wrong type{where}{line}: {FirstSentence(ex.Message)}"));
        }
    }

    private static string FirstSentence(string message)
    {
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        return cut > 0 ? message[..cut] : message;
    }
}
