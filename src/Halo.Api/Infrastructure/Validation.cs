using System.Globalization;

namespace Halo.Api.Infrastructure;

/// <summary>
/// Collects per-field errors while parsing raw query values and request fields, so a bad request gets one
/// ValidationProblem naming every field at fault instead of a bare "failed to bind" 400.
/// </summary>
public sealed class Validation
{
    private readonly Dictionary<string, List<string>> _errors = new(StringComparer.Ordinal);

    public bool IsValid => _errors.Count == 0;

    public IDictionary<string, string[]> Errors => _errors.ToDictionary(e => e.Key, e => e.Value.ToArray());

    public void Add(string field, string message)
    {
        if (!_errors.TryGetValue(field, out var list)) _errors[field] = list = [];
        list.Add(message);
    }

    public double? Double(string field, string? raw, double min, double max)
    {
        if (string.IsNullOrWhiteSpace(raw)) return null;
        if (!double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) || !double.IsFinite(v))
        {
            Add(field, "Must be a finite number.");
            return null;
        }
        return Range(field, v, min, max);
    }

    public double? Range(string field, double? v, double min, double max)
    {
        if (v is null) return null;
        if (!double.IsFinite(v.Value)) { Add(field, "Must be a finite number."); return null; }
        if (v < min || v > max) { Add(field, $"Must be between {min.ToString(CultureInfo.InvariantCulture)} and {max.ToString(CultureInfo.InvariantCulture)}."); return null; }
        return v;
    }

    public int? Int(string field, string? raw, int min, int max)
    {
        if (string.IsNullOrWhiteSpace(raw)) return null;
        if (!int.TryParse(raw, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v))
        {
            Add(field, "Must be a whole number.");
            return null;
        }
        if (v < min || v > max) { Add(field, $"Must be between {min} and {max}."); return null; }
        return v;
    }

    public bool? Bool(string field, string? raw)
    {
        if (string.IsNullOrWhiteSpace(raw)) return null;
        if (bool.TryParse(raw, out var b)) return b;
        if (raw == "1") return true;
        if (raw == "0") return false;
        Add(field, "Must be true or false.");
        return null;
    }

    /// <summary>An ISO 8601 instant; without an offset it is taken as UTC.</summary>
    public DateTime? Instant(string field, string? raw)
    {
        if (string.IsNullOrWhiteSpace(raw)) return null;
        if (DateTimeOffset.TryParse(raw, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var v))
            return v.UtcDateTime;
        Add(field, "Must be an ISO 8601 date or date-time, e.g. 2024-07-01T12:00:00Z.");
        return null;
    }

    public string? Text(string field, string? raw, int maxLength, bool required = false)
    {
        if (string.IsNullOrWhiteSpace(raw))
        {
            if (required) Add(field, "Is required.");
            return null;
        }
        if (raw.Length > maxLength) { Add(field, $"Must be at most {maxLength} characters."); return null; }
        if (raw.Any(c => char.IsControl(c) && c is not '\n' and not '\r' and not '\t'))
        {
            Add(field, "Must not contain control characters.");
            return null;
        }
        return raw.Trim();
    }

    /// <summary>
    /// A map area from the query: <c>bbox=minLon,minLat,maxLon,maxLat</c>, or <c>lat</c> + <c>lon</c> + <c>radius_km</c>,
    /// never both. A box whose minLon exceeds its maxLon crosses the antimeridian, where the caller allows it.
    /// </summary>
    public (GeoBox? Box, GeoCircle? Circle) Area(string? bbox, string? lat, string? lon, string? radiusKm, double maxRadiusKm,
        bool required, bool allowAntimeridian)
    {
        GeoBox? box = null;
        GeoCircle? circle = null;
        if (bbox is not null)
        {
            var parts = bbox.Split(',');
            if (parts.Length != 4) Add("bbox", "Must be minLon,minLat,maxLon,maxLat.");
            else
            {
                var minLon = Double("bbox", parts[0], -180, 180);
                var minLat = Double("bbox", parts[1], -90, 90);
                var maxLon = Double("bbox", parts[2], -180, 180);
                var maxLat = Double("bbox", parts[3], -90, 90);
                if (minLat > maxLat) Add("bbox", "minLat must not exceed maxLat.");
                if (!allowAntimeridian && minLon > maxLon) Add("bbox", "minLon must not exceed maxLon.");
                if (minLon is not null && minLat is not null && maxLon is not null && maxLat is not null && IsValid)
                    box = new GeoBox(minLon.Value, minLat.Value, maxLon.Value, maxLat.Value);
            }
        }
        var la = Double("lat", lat, -90, 90);
        var lo = Double("lon", lon, -180, 180);
        var r = Double("radius_km", radiusKm, 0.001, maxRadiusKm);
        var anyCircle = (lat ?? lon ?? radiusKm) is not null;
        if (anyCircle)
        {
            if (lat is null || lon is null || radiusKm is null) Add("radius_km", "lat, lon and radius_km go together.");
            else if (la is not null && lo is not null && r is not null) circle = new GeoCircle(la.Value, lo.Value, r.Value * 1000);
        }
        if (bbox is not null && anyCircle) Add("bbox", "Give either bbox or lat/lon/radius_km, not both.");
        if (required && bbox is null && !anyCircle) Add("bbox", "Give a bbox or lat, lon and radius_km.");
        return (box, circle);
    }
}

public sealed record GeoBox(double MinLon, double MinLat, double MaxLon, double MaxLat);

public sealed record GeoCircle(double Lat, double Lon, double RadiusM);
