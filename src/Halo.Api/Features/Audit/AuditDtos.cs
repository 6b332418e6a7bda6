// Wire DTOs only: no references to entities or server services, so the client can share this file's source.
namespace Halo.Api.Features.Audit;

/// <summary>One audit-log row as staff see it.</summary>
public sealed record AuditEntryDto(
    Guid Id,
    DateTime At,
    string Actor,
    string Action,
    string EntityType,
    string EntityId,
    string? RelatedEntityId,
    string? Reason,
    string? Before,
    string? After,
    string? Details);
