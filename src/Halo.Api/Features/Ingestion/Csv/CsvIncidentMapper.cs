using Halo.Api.Features.Geo;
using Halo.Api.Features.Incidents;
using Halo.Api.Features.Ingestion.Polisen;
using Halo.Api.Features.Taxonomy;

namespace Halo.Api.Features.Ingestion.Csv;

/// <summary>Turns CSV records into incidents of source <c>import:&lt;name&gt;</c>.</summary>
public static class CsvIncidentMapper
{
    /// <summary>Open data is usually snapped to a block or intersection; this is the radius claimed by default.</summary>
    public const double DefaultPrecisionM = 100;

    public static string SourceName(string name)
    {
        var clean = new string(name.Trim().ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' ? c : '_').ToArray());
        if (clean.Length == 0) throw new ArgumentException("Empty source name.", nameof(name));
        return IncidentSources.ImportPrefix + clean[..Math.Min(clean.Length, 64 - IncidentSources.ImportPrefix.Length)];
    }

    public static ParsedRecord ToIncident(CsvIncidentRecord r, string source, DateTime now, double precisionM = DefaultPrecisionM)
    {
        if (!r.IsValid) return ParsedRecord.Reject(r.ExternalId ?? $"line {r.LineNumber}", $"line {r.LineNumber}: {r.RejectReason}");
        var category = HaloTaxonomy.ByCode[r.Category];
        var rawType = string.IsNullOrEmpty(r.RawCategory) ? r.Category : r.RawCategory;
        if (rawType.Length > 200) rawType = rawType[..200];
        return ParsedRecord.Ok(new Incident
        {
            Id = Guid.CreateVersion7(now),
            Source = source,
            ExternalId = r.ExternalId,
            RawType = rawType,
            Category = category.Code,
            Severity = category.DefaultSeverity,
            IsIncident = true,
            Title = string.IsNullOrEmpty(r.RawCategory) ? category.NameEn : (r.RawCategory.Length > 500 ? r.RawCategory[..500] : r.RawCategory),
            OccurredAt = r.OccurredAt,
            Latitude = r.Latitude,
            Longitude = r.Longitude,
            LocationPrecisionM = precisionM,
            H3Res9 = GeoCells.Cell(r.Latitude, r.Longitude, GeoCells.FineResolution),
            H3Res7 = GeoCells.Cell(r.Latitude, r.Longitude, GeoCells.CoarseResolution),
            Status = IncidentStatus.Active,
            IsVerified = true,
            CreatedAt = now,
            UpdatedAt = now,
            RawPayload = r.RawJson,
        });
    }
}
