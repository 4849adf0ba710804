using Microsoft.AspNetCore.Http;

namespace Crossfade.Server.Api;

/// <summary>ProblemDetails answers used across the API.</summary>
public static class Problems
{
    public static IResult BadRequest(string detail, int status = 400) =>
        Results.Problem(title: "Bad request", detail: detail, statusCode: status);

    public static IResult NotFound(string detail) =>
        Results.Problem(title: "Not found", detail: detail, statusCode: 404);

    public static IResult Conflict(string detail, IDictionary<string, object?>? extensions = null) =>
        Results.Problem(title: "Conflict", detail: detail, statusCode: 409, extensions: extensions);

    public static IResult Unprocessable(string detail, IDictionary<string, object?>? extensions = null) =>
        Results.Problem(title: "Unprocessable", detail: detail, statusCode: 422, extensions: extensions);
}
