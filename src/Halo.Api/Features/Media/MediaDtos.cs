// Wire DTOs only: no references to entities or server services, so the client can share this file's source.
namespace Halo.Api.Features.Media;

public sealed record MediaUploadResponse(Guid MediaId, string Kind, string ContentType, long SizeBytes, string Sha256, int? Width, int? Height);
