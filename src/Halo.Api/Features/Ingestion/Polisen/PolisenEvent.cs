using System.Text.Json.Serialization;

namespace Halo.Api.Features.Ingestion.Polisen;

/// <summary>One event exactly as https://polisen.se/api/events returns it (and as the shared archive stores it).</summary>
public sealed record PolisenEvent(
    [property: JsonPropertyName("id")] long Id,
    [property: JsonPropertyName("datetime")] string? Datetime,
    [property: JsonPropertyName("name")] string? Name,
    [property: JsonPropertyName("summary")] string? Summary,
    [property: JsonPropertyName("url")] string? Url,
    [property: JsonPropertyName("type")] string? Type,
    [property: JsonPropertyName("location")] PolisenLocation? Location);

public sealed record PolisenLocation(
    [property: JsonPropertyName("name")] string? Name,
    [property: JsonPropertyName("gps")] string? Gps);
