using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Halo.Api.Data;
using Halo.Api.Features.Geo;
using Halo.Api.Features.Incidents;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Halo.Api.Features.Ingestion.Geocoding;

/// <summary>
/// Refines a police event's municipality-centroid position from place names in its summary, via a
/// Nominatim-compatible server. A hit is accepted only inside the event's municipality polygon; the incident then
/// carries the refined point and a smaller radius, and <see cref="IncidentGeocode"/> keeps the original.
/// </summary>
public sealed class LocationRefiner(
    HaloDbContext db, IHttpClientFactory httpClients, IOptions<GeocodingOptions> options, SwedishAreas areas,
    TimeProvider time, ILogger<LocationRefiner> logger)
{
    public const string HttpClientName = "geocoding";
    private const double MinRefinedPrecisionM = 50;
    private const double DefaultRefinedPrecisionM = 250;

    private static DateTimeOffset s_lastCallAt = DateTimeOffset.MinValue;
    private static readonly SemaphoreSlim CallGate = new(1, 1);

    public bool IsEnabled => options.Value.IsEnabled;

    /// <summary>Refines recent police incidents not tried yet, up to <c>MaxPerRun</c>. Returns how many were refined.</summary>
    public async Task<int> RefineRecentAsync(CancellationToken ct)
    {
        if (!IsEnabled) return 0;
        var o = options.Value;
        var since = time.GetUtcNow().UtcDateTime - o.Lookback;
        var tried = db.Set<IncidentGeocode>().Select(g => g.IncidentId);
        var pending = await db.Incidents
            .Where(i => i.Source == IncidentSources.Polisen && i.IsIncident && i.PublishedAt >= since && !tried.Contains(i.Id))
            .OrderByDescending(i => i.PublishedAt).Take(o.MaxPerRun).ToListAsync(ct);
        var refined = 0;
        try
        {
            foreach (var incident in pending)
            {
                if (await RefineAsync(incident, ct)) refined++;
            }
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or JsonException && !ct.IsCancellationRequested)
        {
            // The current event stays untried: the next poll retries it when the geocoder is back. An outside fault, said
            // in full by its message: no stack trace.
            logger.LogWarning("Geocoding failed ({Reason}); {Refined} of {Pending} events refined this time", ex.Message, refined, pending.Count);
        }
        finally
        {
            // The scope's context may be reused (e.g. by the importer); leave nothing tracked.
            db.ChangeTracker.Clear();
        }
        return refined;
    }

    /// <summary>Tries to refine one (tracked) incident and records the attempt. True when the position was refined.</summary>
    public async Task<bool> RefineAsync(Incident incident, CancellationToken ct)
    {
        var o = options.Value;
        var attempt = new IncidentGeocode
        {
            IncidentId = incident.Id,
            Outcome = GeocodeOutcome.NotFound,
            OriginalLatitude = incident.Latitude,
            OriginalLongitude = incident.Longitude,
            OriginalPrecisionM = incident.LocationPrecisionM,
            AttemptedAt = time.GetUtcNow().UtcDateTime,
        };
        var area = areas.Find(incident.LocationName);
        var candidates = PlaceNameExtractor.Candidates(incident.Summary, area?.Name, o.MaxCandidates);
        if (area is not { Kind: SwedishAreaKind.Municipality }) attempt.Outcome = GeocodeOutcome.UnknownArea;
        else if (candidates.Count == 0) attempt.Outcome = GeocodeOutcome.NoCandidate;
        else
        {
            foreach (var candidate in candidates)
            {
                var query = $"{candidate}, {area.Name}";
                attempt.Query = query.Length > 300 ? query[..300] : query;
                var hit = (await SearchAsync(query, area, ct)).FirstOrDefault(h => area.Contains(h.Lat, h.Lon));
                if (hit is null) continue;
                attempt.Outcome = GeocodeOutcome.Refined;
                attempt.MatchedName = hit.Name is { Length: > 500 } n ? n[..500] : hit.Name;
                attempt.RefinedLatitude = incident.Latitude = hit.Lat;
                attempt.RefinedLongitude = incident.Longitude = hit.Lon;
                // Never claim less precision than the area itself gave.
                attempt.RefinedPrecisionM = incident.LocationPrecisionM = Math.Min(hit.PrecisionM, attempt.OriginalPrecisionM);
                incident.H3Res9 = GeoCells.Cell(hit.Lat, hit.Lon, GeoCells.FineResolution);
                incident.H3Res7 = GeoCells.Cell(hit.Lat, hit.Lon, GeoCells.CoarseResolution);
                incident.UpdatedAt = attempt.AttemptedAt;
                break;
            }
        }
        db.Set<IncidentGeocode>().Add(attempt);
        await db.SaveChangesAsync(ct);
        return attempt.Outcome == GeocodeOutcome.Refined;
    }

    private sealed record Hit(double Lat, double Lon, string? Name, double PrecisionM);

    private async Task<List<Hit>> SearchAsync(string query, SwedishArea area, CancellationToken ct)
    {
        var o = options.Value;
        var p = area.Polygon.EnvelopeInternal; // x = longitude, y = latitude
        var inv = CultureInfo.InvariantCulture;
        var url = $"{o.Url!.TrimEnd('/')}/search?format=jsonv2&limit=5&countrycodes=se&bounded=1" +
                  $"&viewbox={p.MinX.ToString(inv)},{p.MaxY.ToString(inv)},{p.MaxX.ToString(inv)},{p.MinY.ToString(inv)}" +
                  $"&q={Uri.EscapeDataString(query)}";
        await CallGate.WaitAsync(ct);
        try
        {
            var wait = s_lastCallAt + o.MinCallInterval - time.GetUtcNow();
            if (wait > TimeSpan.Zero) await Task.Delay(wait, time, ct);
            s_lastCallAt = time.GetUtcNow();
            var http = httpClients.CreateClient(HttpClientName);
            using var response = await http.GetAsync(url, ct);
            if (!response.IsSuccessStatusCode)
                throw new HttpRequestException($"Geocoder answered {(int)response.StatusCode}", null, response.StatusCode);
            var results = await response.Content.ReadFromJsonAsync<List<NominatimResult>>(ct) ?? [];
            return results.Select(ToHit).OfType<Hit>().ToList();
        }
        finally { CallGate.Release(); }
    }

    private static Hit? ToHit(NominatimResult r)
    {
        var inv = CultureInfo.InvariantCulture;
        if (!double.TryParse(r.Lat, NumberStyles.Float, inv, out var lat) || !double.TryParse(r.Lon, NumberStyles.Float, inv, out var lon)
            || lat is < -90 or > 90 || lon is < -180 or > 180) return null;
        // The hit's bounding box [south, north, west, east]: half its diagonal bounds how far the place extends.
        var precision = DefaultRefinedPrecisionM;
        if (r.BoundingBox is { Count: 4 } b && b.All(x => double.TryParse(x, NumberStyles.Float, inv, out _)))
        {
            var v = b.Select(x => double.Parse(x, inv)).ToArray();
            precision = Haversine.DistanceM(v[0], v[2], v[1], v[3]) / 2;
        }
        return new Hit(lat, lon, r.DisplayName, Math.Round(Math.Max(precision, MinRefinedPrecisionM)));
    }

    private sealed record NominatimResult(
        [property: JsonPropertyName("lat")] string? Lat,
        [property: JsonPropertyName("lon")] string? Lon,
        [property: JsonPropertyName("display_name")] string? DisplayName,
        [property: JsonPropertyName("boundingbox")] List<string>? BoundingBox);
}
