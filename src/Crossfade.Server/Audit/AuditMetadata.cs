using Microsoft.AspNetCore.Builder;

namespace Crossfade.Server.Audit;

/// <summary>Marks an endpoint whose calls are not changes worth a record (an agent's poll, heartbeat or ingest).</summary>
public sealed class SkipAuditAttribute : Attribute;

/// <summary>Names route values that are secrets (a one-time sign-in code): the record keeps '***' in their place, in the path too.</summary>
public sealed class AuditRedactAttribute(params string[] routeValues) : Attribute
{
    public IReadOnlyList<string> RouteValues { get; } = routeValues;
}

public static class AuditMetadataExtensions
{
    public static TBuilder SkipAudit<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new SkipAuditAttribute());

    public static TBuilder AuditRedact<TBuilder>(this TBuilder builder, params string[] routeValues) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new AuditRedactAttribute(routeValues));
}
