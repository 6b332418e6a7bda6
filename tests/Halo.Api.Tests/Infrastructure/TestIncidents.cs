using Halo.Api.Features.Geo;
using Halo.Api.Features.Incidents;

namespace Halo.Api.Tests.Infrastructure;

/// <summary>Builds incident rows for tests. Each test uses its own source name, so tests never see each other's rows.</summary>
public static class TestIncidents
{
    public static string NewSource() => "import:t" + Guid.NewGuid().ToString("N")[..10];

    public static Incident Make(string source, double lat, double lon, DateTime occurredAt,
        string category = "theft", int severity = 2, bool verified = true, bool isIncident = true, string? status = null)
    {
        var now = DateTime.UtcNow;
        return new Incident
        {
            Id = Guid.NewGuid(),
            Source = source,
            ExternalId = Guid.NewGuid().ToString("N"),
            RawType = category,
            Category = category,
            Severity = severity,
            IsIncident = isIncident,
            Title = $"{category} test",
            Summary = "test row",
            OccurredAt = occurredAt,
            PublishedAt = occurredAt,
            Latitude = lat,
            Longitude = lon,
            LocationPrecisionM = 10,
            H3Res9 = GeoCells.Cell(lat, lon, 9),
            H3Res7 = GeoCells.Cell(lat, lon, 7),
            Status = status ?? (verified ? IncidentStatus.Active : IncidentStatus.Unverified),
            IsVerified = verified,
            CreatedAt = now,
            UpdatedAt = now,
        };
    }

    /// <summary>A point at the given distance (m) and bearing (deg) from a centre, on the haversine sphere.</summary>
    public static (double Lat, double Lon) Offset(double lat, double lon, double distanceM, double bearingDeg)
    {
        var d = distanceM / Haversine.EarthRadiusM;
        var b = bearingDeg * Math.PI / 180;
        var φ1 = lat * Math.PI / 180;
        var λ1 = lon * Math.PI / 180;
        var φ2 = Math.Asin(Math.Sin(φ1) * Math.Cos(d) + Math.Cos(φ1) * Math.Sin(d) * Math.Cos(b));
        var λ2 = λ1 + Math.Atan2(Math.Sin(b) * Math.Sin(d) * Math.Cos(φ1), Math.Cos(d) - Math.Sin(φ1) * Math.Sin(φ2));
        return (φ2 * 180 / Math.PI, (λ2 * 180 / Math.PI + 540) % 360 - 180);
    }
}
