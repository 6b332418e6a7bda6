using Halo.Api.Data;
using Halo.Api.Features.Geo;
using Microsoft.EntityFrameworkCore;

namespace Halo.Api.Features.Incidents;

/// <summary>
/// Runs incident filters on either provider. What differs (radius, nearest-first, dense area scans) is asked of the
/// store's <see cref="StoreDialect"/>: PostGIS <c>ST_DWithin</c> on PostgreSQL, a lat/lon bounding-box prefilter plus
/// exact haversine on SQLite.
/// </summary>
public static class IncidentSearch
{
    /// <summary>Rows a public list may show: never deleted or moderator-rejected ones.</summary>
    public static IQueryable<Incident> Visible(HaloDbContext db) => VisibleOnly(db.Incidents);

    private static IQueryable<Incident> VisibleOnly(IQueryable<Incident> source) =>
        source.AsNoTracking().Where(i => i.Status != IncidentStatus.Deleted && i.Status != IncidentStatus.Rejected);

    /// <summary>The filter as LINQ: the definition the hand-written page (IncidentPageSql) is tested against. A circle is exact only where <see cref="StoreDialect.RadiusIsExact"/>.</summary>
    public static IQueryable<Incident> Apply(HaloDbContext db, IncidentFilter f) => Apply(db.Incidents, f, db.Dialect);

    private static IQueryable<Incident> Apply(IQueryable<Incident> source, IncidentFilter f, StoreDialect dialect)
    {
        var q = VisibleOnly(source);
        if (!f.IncludeNonIncidents) q = q.Where(i => i.IsIncident);
        if (f.Bbox is { } b)
        {
            q = q.Where(i => i.Latitude >= b.MinLat && i.Latitude <= b.MaxLat);
            q = b.MinLon <= b.MaxLon
                ? q.Where(i => i.Longitude >= b.MinLon && i.Longitude <= b.MaxLon)
                : q.Where(i => i.Longitude >= b.MinLon || i.Longitude <= b.MaxLon); // crosses the antimeridian
        }
        if (f.Circle is { } c) q = dialect.WithinRadius(q, c.Lat, c.Lon, c.RadiusM);
        if (f.From is { } from) q = q.Where(i => i.OccurredAt >= from);
        if (f.To is { } to) q = q.Where(i => i.OccurredAt <= to);
        if (f.Categories.Count > 0) q = q.Where(i => f.Categories.Contains(i.Category));
        if (f.SeverityMin is { } smin) q = q.Where(i => i.Severity >= smin);
        if (f.SeverityMax is { } smax) q = q.Where(i => i.Severity <= smax);
        if (f.Source is { } src) q = q.Where(i => i.Source == src);
        if (f.VerifiedOnly) q = q.Where(i => i.IsVerified);
        return q;
    }

    /// <summary>One keyset page, newest first.</summary>
    public static async Task<IncidentPage> PageAsync(HaloDbContext db, IncidentFilter f, int denseScanRows, DenseScanSplit splits, CancellationToken ct)
    {
        var want = f.Limit + 1;
        List<IncidentDto> rows;
        if (db.Dialect.SplitsDenseAreaScans && (f.Bbox is not null || f.Circle is not null))
        {
            // SQLite's planner always takes the lat/lon index for a box and then sorts every row in it: fine for a
            // sparse area, slow for a city holding tens of thousands. So first walk the newest rows in time order
            // (forced index, bounded to denseScanRows), and only if that does not fill the page continue, below that
            // split point, with the planner's own spatial plan. Together the two parts are exactly the keyset page.
            var split = await splits.GetAsync(f.After, denseScanRows, () => db.Dialect.ThroughIndex<Incident>(db, "incidents", IncidentConfiguration.TimePositionIndex)
                .Where(KeysetAfter(f.After))
                .OrderByDescending(i => i.OccurredAt).ThenByDescending(i => i.Id)
                .Select(i => new PageCursor(i.OccurredAt, i.Id))
                .Skip(denseScanRows).FirstOrDefaultAsync(ct));
            rows = await CollectAsync(db, f, timeOrderedIndex: true, f.After, split, want, ct);
            if (rows.Count < want && split is not null)
                rows.AddRange(await CollectAsync(db, f, timeOrderedIndex: false, split, null, want - rows.Count, ct));
        }
        else
        {
            rows = await CollectAsync(db, f, timeOrderedIndex: false, f.After, null, want, ct);
        }
        var hasMore = rows.Count > f.Limit;
        if (hasMore) rows.RemoveAt(rows.Count - 1);
        var next = hasMore ? new PageCursor(rows[^1].OccurredAt, rows[^1].Id).Encode() : null;
        return new IncidentPage(rows, rows.Count, next);
    }

    /// <summary>
    /// Up to <paramref name="want"/> rows after the cursor (and at or before <paramref name="stopAt"/>), newest first.
    /// On SQLite a circle is a box in SQL and the exact distance is checked here, so rows are read in chunks until the
    /// page is full.
    /// </summary>
    private static async Task<List<IncidentDto>> CollectAsync(HaloDbContext db, IncidentFilter f, bool timeOrderedIndex,
        PageCursor? after, PageCursor? stopAt, int want, CancellationToken ct)
    {
        var exactCircle = db.Dialect.RadiusIsExact ? null : f.Circle;
        var rows = new List<IncidentDto>(want);
        var chunk = exactCircle is null ? want : Math.Max(200, want * 4);
        while (rows.Count < want)
        {
            var batch = await IncidentPageSql.ReadAsync(db, f, timeOrderedIndex, after, stopAt, chunk, ct);
            foreach (var i in batch)
            {
                if (exactCircle is { } e && Haversine.DistanceM(e.Lat, e.Lon, i.Latitude, i.Longitude) > e.RadiusM) continue;
                rows.Add(i);
                if (rows.Count == want) break;
            }
            if (batch.Count < chunk) break;
            after = new PageCursor(batch[^1].OccurredAt, batch[^1].Id);
        }
        return rows;
    }

    /// <summary>Rows strictly after the cursor in (occurred_at desc, id desc) order; all rows when there is none.</summary>
    private static System.Linq.Expressions.Expression<Func<Incident, bool>> KeysetAfter(PageCursor? cursor)
    {
        if (cursor is null) return i => true;
        var t = cursor.OccurredAt;
        var id = cursor.Id;
        return i => i.OccurredAt < t || (i.OccurredAt == t && i.Id.CompareTo(id) < 0);
    }

    /// <summary>Incidents within the radius, nearest first, with their exact distance.</summary>
    public static async Task<List<IncidentDto>> NearbyAsync(HaloDbContext db, IncidentFilter f, int limit, CancellationToken ct)
    {
        var (lat, lon, radiusM) = f.Circle!.Value;
        var q = Apply(db, f);
        if (db.Dialect.NearestFirst(q, lat, lon) is { } ranked)
        {
            var rows = await ranked.Take(limit).ToListAsync(ct);
            return rows.Select(i => i.ToDto(Haversine.DistanceM(lat, lon, i.Latitude, i.Longitude))).ToList();
        }
        // No distance ranking in SQL (SQLite): rank the box's candidates by exact distance on positions only, then load the winners.
        var candidates = await q.Select(i => new { i.Id, i.Latitude, i.Longitude, i.OccurredAt }).ToListAsync(ct);
        var nearest = candidates
            .Select(x => (x.Id, x.OccurredAt, Distance: Haversine.DistanceM(lat, lon, x.Latitude, x.Longitude)))
            .Where(x => x.Distance <= radiusM)
            .OrderBy(x => x.Distance).ThenByDescending(x => x.OccurredAt)
            .Take(limit)
            .ToList();
        var ids = nearest.Select(x => x.Id).ToList();
        var byId = await db.Incidents.AsNoTracking().Where(i => ids.Contains(i.Id)).ToDictionaryAsync(i => i.Id, ct);
        return nearest.Where(x => byId.ContainsKey(x.Id)).Select(x => byId[x.Id].ToDto(x.Distance)).ToList();
    }
}
