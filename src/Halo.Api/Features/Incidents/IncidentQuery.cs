using System.Text;
using Halo.Api.Infrastructure;
using Halo.Api.Features.Taxonomy;
using Microsoft.AspNetCore.Mvc;

namespace Halo.Api.Features.Incidents;

/// <summary>Raw query string of <c>GET /api/v1/incidents</c>; parsed by <see cref="Parse"/> so every bad field is named.</summary>
public sealed class IncidentQueryParameters
{
    [FromQuery(Name = "bbox")] public string? Bbox { get; init; }
    [FromQuery(Name = "lat")] public string? Lat { get; init; }
    [FromQuery(Name = "lon")] public string? Lon { get; init; }
    [FromQuery(Name = "radius_km")] public string? RadiusKm { get; init; }
    [FromQuery(Name = "from")] public string? From { get; init; }
    [FromQuery(Name = "to")] public string? To { get; init; }
    [FromQuery(Name = "rolling_days")] public string? RollingDays { get; init; }
    [FromQuery(Name = "category")] public string[]? Category { get; init; }
    [FromQuery(Name = "severity_min")] public string? SeverityMin { get; init; }
    [FromQuery(Name = "severity_max")] public string? SeverityMax { get; init; }
    [FromQuery(Name = "source")] public string? Source { get; init; }
    [FromQuery(Name = "verified_only")] public string? VerifiedOnly { get; init; }
    [FromQuery(Name = "include_non_incidents")] public string? IncludeNonIncidents { get; init; }
    [FromQuery(Name = "limit")] public string? Limit { get; init; }
    [FromQuery(Name = "cursor")] public string? Cursor { get; init; }

    public IncidentFilter Parse(Validation v, IncidentsOptions options, DateTime now)
    {
        var f = new IncidentFilter();
        var (box, circle) = v.Area(Bbox, Lat, Lon, RadiusKm, options.MaxRadiusKm, required: false, allowAntimeridian: true);
        if (box is not null) f.Bbox = (box.MinLon, box.MinLat, box.MaxLon, box.MaxLat);
        if (circle is not null) f.Circle = (circle.Lat, circle.Lon, circle.RadiusM);

        f.From = v.Instant("from", From);
        f.To = v.Instant("to", To);
        var rolling = v.Int("rolling_days", RollingDays, 1, options.MaxRollingDays);
        if (rolling is not null)
        {
            if (From is not null) v.Add("rolling_days", "Give either from or rolling_days, not both.");
            f.From = now.AddDays(-rolling.Value);
        }
        if (f.From > f.To) v.Add("from", "from must not be after to.");

        foreach (var c in Category ?? [])
        {
            foreach (var code in c.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                if (HaloTaxonomy.IsKnown(code)) f.Categories.Add(HaloTaxonomy.ByCode[code].Code);
                else v.Add("category", $"Unknown category '{Truncate(code)}'. Known: {string.Join(", ", HaloTaxonomy.Categories.Select(x => x.Code))}.");
            }
        }
        f.SeverityMin = v.Int("severity_min", SeverityMin, 1, 5);
        f.SeverityMax = v.Int("severity_max", SeverityMax, 1, 5);
        if (f.SeverityMin > f.SeverityMax) v.Add("severity_min", "severity_min must not exceed severity_max.");
        f.Source = v.Text("source", Source, 64);
        f.VerifiedOnly = v.Bool("verified_only", VerifiedOnly) ?? false;
        f.IncludeNonIncidents = v.Bool("include_non_incidents", IncludeNonIncidents) ?? false;
        f.Limit = v.Int("limit", Limit, 1, options.MaxPageSize) ?? options.DefaultPageSize;
        if (Cursor is not null)
        {
            if (PageCursor.TryDecode(Cursor, out var cursor)) f.After = cursor;
            else v.Add("cursor", "Is not a cursor this API issued.");
        }
        return f;
    }

    private static string Truncate(string s) => s.Length > 40 ? s[..40] + "…" : s;
}

public sealed class IncidentFilter
{
    public (double MinLon, double MinLat, double MaxLon, double MaxLat)? Bbox { get; set; }
    public (double Lat, double Lon, double RadiusM)? Circle { get; set; }
    public DateTime? From { get; set; }
    public DateTime? To { get; set; }
    public List<string> Categories { get; } = [];
    public int? SeverityMin { get; set; }
    public int? SeverityMax { get; set; }
    public string? Source { get; set; }
    public bool VerifiedOnly { get; set; }
    public bool IncludeNonIncidents { get; set; }
    public int Limit { get; set; } = 100;
    public PageCursor? After { get; set; }
}

/// <summary>Keyset position: the (occurred_at, id) of the last row of the previous page, newest first.</summary>
public sealed record PageCursor(DateTime OccurredAt, Guid Id)
{
    public string Encode() =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes($"{OccurredAt.Ticks}:{Id:N}")).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static bool TryDecode(string raw, out PageCursor? cursor)
    {
        cursor = null;
        if (raw.Length is 0 or > 200) return false;
        try
        {
            var b64 = raw.Replace('-', '+').Replace('_', '/');
            b64 = b64.PadRight(b64.Length + (4 - b64.Length % 4) % 4, '=');
            var text = Encoding.UTF8.GetString(Convert.FromBase64String(b64));
            var parts = text.Split(':');
            if (parts.Length != 2 || !long.TryParse(parts[0], System.Globalization.CultureInfo.InvariantCulture, out var ticks)
                || ticks < DateTime.MinValue.Ticks || ticks > DateTime.MaxValue.Ticks || !Guid.TryParseExact(parts[1], "N", out var id))
                return false;
            cursor = new PageCursor(new DateTime(ticks, DateTimeKind.Utc), id);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
