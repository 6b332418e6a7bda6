using System.Globalization;
using System.Text.Json;
using Halo.Api.Features.Classification;
using Halo.Api.Features.Geo;
using Halo.Api.Features.Incidents;
using Halo.Api.Features.Taxonomy;

namespace Halo.Api.Features.Ingestion.Polisen;

/// <summary>The outcome of parsing one source record: an incident, or the reason it was rejected.</summary>
public readonly record struct ParsedRecord(Incident? Incident, string? ExternalId, string? RejectReason)
{
    public static ParsedRecord Ok(Incident incident) => new(incident, incident.ExternalId, null);
    public static ParsedRecord Reject(string? externalId, string reason) => new(null, externalId, reason);
}

/// <summary>
/// Turns one police event (its raw JSON) into an <see cref="Incident"/>. Never throws for bad input. A type the
/// taxonomy does not know and whose name resembles no known type is categorised by the serving classifier, when
/// there is one.
/// </summary>
public sealed class PolisenEventParser(SwedishAreas areas, TimeProvider time, ILogger<PolisenEventParser> logger,
    ClassifierService? classifier = null)
{
    public const string SiteUrl = "https://polisen.se";

    public ParsedRecord Parse(JsonElement element)
    {
        PolisenEvent? e;
        try
        {
            if (element.ValueKind != JsonValueKind.Object) return ParsedRecord.Reject(null, "not a JSON object");
            e = element.Deserialize<PolisenEvent>();
        }
        catch (JsonException ex)
        {
            return ParsedRecord.Reject(TryId(element), $"wrong field type: {ex.Message}");
        }
        return e is null ? ParsedRecord.Reject(null, "null event") : Parse(e, element.GetRawText());
    }

    public ParsedRecord Parse(PolisenEvent e, string rawJson)
    {
        if (e.Id <= 0) return ParsedRecord.Reject(null, "missing or invalid id");
        var id = e.Id.ToString(CultureInfo.InvariantCulture);
        if (!PolisenTime.TryParsePublished(e.Datetime, out var published))
            return ParsedRecord.Reject(id, $"unreadable datetime '{Clip(e.Datetime)}'");
        if (string.IsNullOrWhiteSpace(e.Name)) return ParsedRecord.Reject(id, "missing name");
        if (string.IsNullOrWhiteSpace(e.Type) || e.Type.Length > 200) return ParsedRecord.Reject(id, "missing or oversized type");
        if (!TryParseGps(e.Location?.Gps, out var lat, out var lon))
            return ParsedRecord.Reject(id, $"unreadable location.gps '{Clip(e.Location?.Gps)}'");

        // The title carries the event time; when it does not, the publication time is the best bound we have.
        var occurred = PolisenTime.TryParseEventTime(e.Name, published, out var t) ? t : published;
        var mapping = HaloTaxonomy.MapPolisenType(e.Type, logger);
        if (mapping.InferredBy == CategoryInference.None && classifier?.CategorizeUnknownType(e.Name, e.Summary) is { } classified)
            mapping = classified;
        var now = time.GetUtcNow().UtcDateTime;
        var areaName = e.Location?.Name?.Trim();
        return ParsedRecord.Ok(new Incident
        {
            Id = Guid.CreateVersion7(now),
            Source = IncidentSources.Polisen,
            ExternalId = id,
            RawType = e.Type,
            Category = mapping.Category,
            CategoryInferredBy = mapping.InferredBy,
            Severity = mapping.Severity,
            IsIncident = mapping.IsIncident,
            Title = Clip(e.Name.Trim(), 500),
            Summary = e.Summary is null ? null : Clip(e.Summary, 10_000),
            OccurredAt = occurred,
            PublishedAt = published,
            Latitude = lat,
            Longitude = lon,
            LocationName = areaName is null ? null : Clip(areaName, 200),
            LocationPrecisionM = areas.PrecisionM(areaName, lat, lon),
            H3Res9 = GeoCells.Cell(lat, lon, GeoCells.FineResolution),
            H3Res7 = GeoCells.Cell(lat, lon, GeoCells.CoarseResolution),
            Status = IncidentStatus.Active,
            IsVerified = true,
            SourceUrl = SourceUrl(e.Url),
            CreatedAt = now,
            UpdatedAt = now,
            RawPayload = rawJson,
        });
    }

    /// <summary>"59.329324,18.068581" → (lat, lon); rejects anything outside WGS84 ranges.</summary>
    public static bool TryParseGps(string? gps, out double lat, out double lon)
    {
        lat = lon = 0;
        if (gps is null) return false;
        var parts = gps.Split(',');
        return parts.Length == 2
            && double.TryParse(parts[0].Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out lat)
            && double.TryParse(parts[1].Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out lon)
            && lat is >= -90 and <= 90 && lon is >= -180 and <= 180;
    }

    private static string? SourceUrl(string? url)
    {
        if (string.IsNullOrWhiteSpace(url)) return null;
        url = url.Trim();
        if (url.StartsWith('/') && !url.StartsWith("//", StringComparison.Ordinal)) return Clip(SiteUrl + url, 1000);
        // Only links to the police site itself are kept; anything else in that field is not trusted.
        return url.StartsWith(SiteUrl + "/", StringComparison.OrdinalIgnoreCase) ? Clip(url, 1000) : null;
    }

    private static string? TryId(JsonElement element) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.Number
            ? id.GetRawText() : null;

    private static string Clip(string? s, int max = 80) => s is null ? "" : s.Length <= max ? s : s[..max];
}
