using System.Text.Json.Serialization;

namespace Halo.Api.Features.Incidents;

/// <summary>
/// Compile-time JSON for the busiest responses (a map page of up to 500 incidents): the source-generated fast path
/// writes them without reflection. Same wire format as the rest of the API (snake_case).
/// </summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(IncidentPage))]
[JsonSerializable(typeof(IncidentDto))]
[JsonSerializable(typeof(NearbyResult))]
internal sealed partial class IncidentJsonContext : JsonSerializerContext;
