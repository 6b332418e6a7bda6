using System.Collections.Concurrent;
using Halo.Api.Data;
using Halo.Api.Features.Geo;
using Halo.Api.Features.Incidents;
using Halo.Api.Features.Live;
using Halo.Api.Features.Push;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Halo.Api.Features.Alerts;

/// <summary>
/// Geofence alerts. Positions posted while the app is open are held **in memory only** (never stored, never logged)
/// for <see cref="AlertOptions.PositionTtlMinutes"/>. Alerts: entering a forecast cell at or above the owner's
/// minimum risk level for the current hour (staying in it raises nothing); a verified incident appearing within the
/// radius of the owner's position or of a watched place. At most one alert per type per device per
/// <see cref="AlertOptions.CooldownMinutes"/>, except severity 5; nothing during quiet hours. With several instances a
/// position is known only to the instance it was posted to: <see cref="RedisAlertRelay"/> brings every alertable
/// incident to every instance, and each checks its own positions.
/// </summary>
public sealed class Geofence(RiskLookup risk, IAlertCooldowns cooldowns, IEnumerable<IAlertDelivery> deliveries, LiveMetrics metrics,
    IOptions<AlertOptions> options, TimeProvider clock, IServiceScopeFactory scopes, SwedishAreas areas) : ILiveIncidentObserver
{
    public const string RiskType = "risk";
    public const string IncidentType = "incident";

    private sealed record Tracked(AlertOwner Owner, AlertPreferencesDto Prefs, double Latitude, double Longitude, ulong? RiskCell, DateTime At);
    private sealed record Place(AlertOwner Owner, AlertPreferencesDto Prefs, WatchedPlaceDto Where);

    private readonly ConcurrentDictionary<string, Tracked> _positions = new(StringComparer.Ordinal);
    private (List<Place> Places, DateTime LoadedAt)? _places;

    /// <summary>Owners whose position is held now (tests and metrics; never the positions themselves).</summary>
    public int TrackedCount => _positions.Count;

    public async Task<IReadOnlyList<LiveAlert>> OnPositionAsync(AlertOwner owner, AlertPreferencesDto prefs, double latitude, double longitude, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        Forget(now);
        var cell = risk.At(latitude, longitude, now);
        var fresh = _positions.TryGetValue(owner.Key, out var previous) && now - previous.At <= Ttl;
        _positions[owner.Key] = new Tracked(owner, prefs, latitude, longitude, cell?.Cell, now);
        if (cell is null) return [];
        if (fresh && previous!.RiskCell == cell.Cell) return []; // staying in the cell it already entered
        if (RiskLookup.Rank(cell.Level) < RiskLookup.Rank(prefs.MinRiskLevel)) return [];
        if (!await AdmitAsync(owner, prefs, RiskType, severity: null, now)) return [];

        var area = areas.MunicipalityAt(latitude, longitude)?.Name ?? cell.Cell.ToString("x");
        var alert = new LiveAlert(Guid.CreateVersion7(clock.GetUtcNow()).ToString("N"), RiskType,
            AlertTexts.Risk(prefs.Language, cell.Level, area, cell.Score), AlertTexts.RiskBody(prefs.Language),
            null, null, null, cell.Cell.ToString("x"), cell.Level, null, null, now);
        await DeliverAsync(owner, alert, ct);
        return [alert];
    }

    /// <summary>The app closed: forget the position now rather than at its expiry.</summary>
    public bool Forget(AlertOwner owner) => _positions.TryRemove(owner.Key, out _);

    /// <summary>
    /// Only a verified, live incident alerts (police, staff, corroborated or cross-validated citizen cluster); the relay
    /// (<see cref="RedisAlertRelay"/>) forwards nothing else.
    /// </summary>
    public static bool Alertable(IncidentDto incident) =>
        incident.IsVerified && incident.IsIncident && incident.Status is not (IncidentStatus.Rejected or IncidentStatus.Deleted);

    /// <summary>An incident published by this instance: this instance's positions and every owner's watched places.</summary>
    public Task OnIncidentAsync(IncidentDto incident, LiveChange change, CancellationToken ct) => EvaluateAsync(incident, places: true, ct);

    /// <summary>
    /// An incident another instance published (<see cref="RedisAlertRelay"/>): only the positions held here, which no
    /// other instance knows; the publishing instance has already checked the watched places (they are stored).
    /// </summary>
    public Task OnRelayedIncidentAsync(IncidentDto incident, CancellationToken ct) => EvaluateAsync(incident, places: false, ct);

    private async Task EvaluateAsync(IncidentDto incident, bool places, CancellationToken ct)
    {
        if (!Alertable(incident)) return;
        var now = clock.GetUtcNow().UtcDateTime;
        // A backfill of old events (first import, a feed catching up) is history, not news.
        if (incident.OccurredAt < now.AddHours(-options.Value.MaxIncidentAgeHours)) return;
        Forget(now);

        // Nearest hit per owner: their live position first, else the closest watched place.
        var hits = new Dictionary<string, (AlertOwner Owner, AlertPreferencesDto Prefs, double Distance, string? Place)>(StringComparer.Ordinal);
        foreach (var t in _positions.Values)
        {
            var d = Haversine.DistanceM(t.Latitude, t.Longitude, incident.Latitude, incident.Longitude);
            if (d <= t.Prefs.RadiusM) hits[t.Owner.Key] = (t.Owner, t.Prefs, d, null);
        }
        foreach (var p in places ? await PlacesAsync(now, ct) : [])
        {
            var d = Haversine.DistanceM(p.Where.Latitude, p.Where.Longitude, incident.Latitude, incident.Longitude);
            if (d > p.Where.RadiusM) continue;
            if (hits.TryGetValue(p.Owner.Key, out var hit) && (hit.Place is null || hit.Distance <= d)) continue;
            hits[p.Owner.Key] = (p.Owner, p.Prefs, d, p.Where.Name);
        }

        foreach (var (key, hit) in hits)
        {
            if (hit.Prefs.Categories is { Count: > 0 } cats && !cats.Contains(incident.Category)) continue;
            // One alert per incident per owner, across instances too (a live position on one, a watched place on another).
            if (!await cooldowns.TryBeginAsync("once:" + key + ":" + incident.Id.ToString("N"), TimeSpan.FromDays(2))) continue;
            if (!await AdmitAsync(hit.Owner, hit.Prefs, IncidentType, incident.Severity, now)) continue;
            var alert = new LiveAlert(Guid.CreateVersion7(clock.GetUtcNow()).ToString("N"), IncidentType,
                AlertTexts.Incident(hit.Prefs.Language, incident.Category, hit.Distance, hit.Place), incident.Title,
                incident.Category, incident.Severity, incident.Id, incident.H3Res7, null, Math.Round(hit.Distance), hit.Place, now);
            await DeliverAsync(hit.Owner, alert, ct);
        }
    }

    /// <summary>Watched places were saved here (PUT): read them again at the next incident, here and (relay) elsewhere.</summary>
    public void PlacesChanged()
    {
        _places = null;
        PlacesSaved?.Invoke();
    }

    /// <summary>Another instance saved watched places (<see cref="RedisAlertRelay"/>): drop this instance's cache.</summary>
    public void ForgetPlaces() => _places = null;

    /// <summary>Raised by <see cref="PlacesChanged"/>: the relay tells the other instances.</summary>
    public event Action? PlacesSaved;

    private async Task<bool> AdmitAsync(AlertOwner owner, AlertPreferencesDto prefs, string type, int? severity, DateTime now)
    {
        if (QuietHours.IsQuiet(prefs.QuietHours, now, options.Value.Zone()))
        {
            metrics.AlertSuppressed(type, "quiet_hours");
            return false;
        }
        // Severity 5 (life-threatening) always goes out: a cooldown must never hide it.
        if (severity is not 5 && options.Value.CooldownMinutes > 0
            && !await cooldowns.TryBeginAsync(type + ":" + owner.Key, TimeSpan.FromMinutes(options.Value.CooldownMinutes)))
        {
            metrics.AlertSuppressed(type, "cooldown");
            return false;
        }
        metrics.AlertRaised(type);
        return true;
    }

    private async Task DeliverAsync(AlertOwner owner, LiveAlert alert, CancellationToken ct)
    {
        foreach (var d in deliveries) await d.DeliverAsync(owner, alert, ct);
    }

    private TimeSpan Ttl => TimeSpan.FromMinutes(options.Value.PositionTtlMinutes);

    private void Forget(DateTime now)
    {
        foreach (var (key, t) in _positions)
            if (now - t.At > Ttl) _positions.TryRemove(new KeyValuePair<string, Tracked>(key, t));
    }

    /// <summary>Every watched place, cached for a minute (PUT clears the cache on its instance, and through the relay on the others).</summary>
    private async Task<List<Place>> PlacesAsync(DateTime now, CancellationToken ct)
    {
        if (_places is { } cached && now - cached.LoadedAt < TimeSpan.FromMinutes(1)) return cached.Places;
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<HaloDbContext>();
        var rows = await (from p in db.Set<AlertPreferences>().AsNoTracking()
                          where p.WatchedPlacesJson != "[]"
                          join s in db.Set<PushSubscriptionRow>() on p.PushSubscriptionId equals s.Id into subs
                          from s in subs.DefaultIfEmpty()
                          select new { Prefs = p, Device = s == null ? null : s.DeviceHash }).ToListAsync(ct);
        var places = new List<Place>();
        foreach (var r in rows)
        {
            var owner = new AlertOwner(r.Prefs.UserId, r.Prefs.UserId is null ? r.Device : null);
            if (owner.UserId is null && owner.DeviceHash is null) continue;
            var dto = AlertsEndpoints.ToDto(r.Prefs);
            places.AddRange(dto.WatchedPlaces.Select(w => new Place(owner, dto, w)));
        }
        _places = (places, now);
        return places;
    }
}
