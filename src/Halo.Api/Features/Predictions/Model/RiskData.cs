using Halo.Api.Features.Geo;
using Halo.Api.Features.Incidents;

namespace Halo.Api.Features.Predictions.Model;

/// <summary>
/// One event as the risk models see it: a fine event sits in one <see cref="Cell"/> at the prediction resolution;
/// a coarse one (a police event known only to its municipality or county) has <see cref="Cell"/> 0 and names its
/// <see cref="Area"/> (an <see cref="AreaCells"/> index), over whose cells its weight is spread evenly.
/// </summary>
public readonly record struct RiskEvent(long Ticks, ulong Cell, int Area, int Category)
{
    public bool IsCoarse => Cell == 0;
}

/// <summary>The fields of an incident the risk models read.</summary>
public sealed record RiskIncident(DateTime OccurredAt, double Latitude, double Longitude, string? LocationName, double PrecisionM, string Category);

/// <summary>Turns stored incidents into <see cref="RiskEvent"/>s.</summary>
public static class RiskEvents
{
    /// <summary>
    /// Incidents that are events (not summaries), not rejected or deleted, become risk events. An incident whose
    /// position is vaguer than <paramref name="coarseAboveM"/> and whose area is known is coarse; anything else is
    /// placed in the cell of its point.
    /// </summary>
    public static List<RiskEvent> From(IEnumerable<Incident> incidents, int resolution, SwedishAreas? areas, AreaCells? areaCells,
        CategoryIndex categories, double coarseAboveM) =>
        From(incidents.Where(Counts).Select(i => new RiskIncident(i.OccurredAt, i.Latitude, i.Longitude, i.LocationName, i.LocationPrecisionM, i.Category)),
            resolution, areas, areaCells, categories, coarseAboveM);

    public static List<RiskEvent> From(IEnumerable<RiskIncident> incidents, int resolution, SwedishAreas? areas, AreaCells? areaCells,
        CategoryIndex categories, double coarseAboveM)
    {
        var list = new List<RiskEvent>();
        foreach (var i in incidents)
        {
            var ticks = DateTime.SpecifyKind(i.OccurredAt, DateTimeKind.Utc).Ticks;
            var cat = categories.Of(i.Category);
            if (i.PrecisionM > coarseAboveM && areas is not null && areaCells is not null)
            {
                var area = areas.Find(i.LocationName) ?? areas.MunicipalityAt(i.Latitude, i.Longitude);
                if (area is not null)
                {
                    list.Add(new RiskEvent(ticks, 0, areaCells.IndexOf(area), cat));
                    continue;
                }
            }
            list.Add(new RiskEvent(ticks, Halo.H3.H3.LatLngToCell(i.Latitude, i.Longitude, resolution).Value, -1, cat));
        }
        return list;
    }

    /// <summary>Summaries, rejected and deleted reports are not events.</summary>
    public static bool Counts(Incident i) =>
        i.IsIncident && i.Status is not (IncidentStatus.Rejected or IncidentStatus.Deleted);
}

/// <summary>Category code ↔ small integer, in order of first sight.</summary>
public sealed class CategoryIndex
{
    private readonly Dictionary<string, int> _ids = new(StringComparer.Ordinal);
    private readonly List<string> _names = [];
    public IReadOnlyList<string> Names => _names;

    public int Of(string category)
    {
        if (_ids.TryGetValue(category, out var id)) return id;
        _ids[category] = _names.Count;
        _names.Add(category);
        return _names.Count - 1;
    }
}

/// <summary>
/// The events of one data set and the units the models forecast for: fine units are the cells that held a fine event
/// before <see cref="ActiveBefore"/> plus their 1-ring; area units are every municipality and county (coarse events).
/// Per-unit sorted event times make window counts a binary search. Models never touch this directly: they get a
/// <see cref="HistoryView"/>, which cannot show anything at or after its origin.
/// </summary>
public sealed class RiskDataset
{
    public int Resolution { get; }
    public AreaCells? Areas { get; }
    public DateTime ActiveBefore { get; }
    public TimeZoneInfo Zone { get; }
    public IReadOnlyList<string> CategoryNames { get; }

    /// <summary>All events, sorted by time (the future included: only the harness and views read it).</summary>
    internal RiskEvent[] Events { get; }
    internal long[] EventTicks { get; }

    public ulong[] FineCells { get; }
    public IReadOnlyDictionary<ulong, int> FineIndex { get; }
    public int[][] Ring1 { get; }
    public int[][] Ring2 { get; }
    internal long[][] FineTimes { get; }
    internal long[][] AreaTimes { get; }
    /// <summary>Times of events in the most frequent category (for the category-mix feature).</summary>
    internal long[][] FineTopTimes { get; }
    internal long[][] AreaTopTimes { get; }
    public int TopCategory { get; }
    public int AreaCount => Areas?.Areas.Count ?? 0;
    public int UnitCount => FineCells.Length + AreaCount;

    public RiskDataset(IEnumerable<RiskEvent> events, int resolution, AreaCells? areas, DateTime activeBefore, TimeZoneInfo zone,
        IReadOnlyList<string> categoryNames)
    {
        Resolution = resolution;
        Areas = areas;
        ActiveBefore = activeBefore;
        Zone = zone;
        CategoryNames = categoryNames;
        Events = events.OrderBy(e => e.Ticks).ToArray();
        EventTicks = Events.Select(e => e.Ticks).ToArray();
        var cut = activeBefore.Ticks;

        var active = new HashSet<ulong>();
        var catCounts = new Dictionary<int, int>();
        foreach (var e in Events)
        {
            if (e.Ticks >= cut) break;
            catCounts[e.Category] = catCounts.GetValueOrDefault(e.Category) + 1;
            if (e.IsCoarse) continue;
            foreach (var n in Halo.H3.H3.GridDisk(new Halo.H3.H3Index(e.Cell), 1)) active.Add(n.Value);
        }
        TopCategory = catCounts.Count == 0 ? 0 : catCounts.MaxBy(kv => kv.Value).Key;
        FineCells = active.Order().ToArray();
        var index = new Dictionary<ulong, int>(FineCells.Length);
        for (var i = 0; i < FineCells.Length; i++) index[FineCells[i]] = i;
        FineIndex = index;
        Ring1 = new int[FineCells.Length][];
        Ring2 = new int[FineCells.Length][];
        Span<Halo.H3.H3Index> disk = stackalloc Halo.H3.H3Index[Halo.H3.H3.MaxGridDiskSize(2)];
        Span<int> dist = stackalloc int[disk.Length];
        for (var i = 0; i < FineCells.Length; i++)
        {
            var n = Halo.H3.H3.GridDiskDistances(new Halo.H3.H3Index(FineCells[i]), 2, disk, dist);
            List<int> r1 = [], r2 = [];
            for (var k = 0; k < n; k++)
            {
                if (disk[k].Value == 0 || dist[k] == 0 || !index.TryGetValue(disk[k].Value, out var j)) continue;
                (dist[k] == 1 ? r1 : r2).Add(j);
            }
            Ring1[i] = [.. r1];
            Ring2[i] = [.. r2];
        }

        var fine = Enumerable.Range(0, FineCells.Length).Select(_ => new List<long>()).ToArray();
        var fineTop = Enumerable.Range(0, FineCells.Length).Select(_ => new List<long>()).ToArray();
        var area = Enumerable.Range(0, AreaCount).Select(_ => new List<long>()).ToArray();
        var areaTop = Enumerable.Range(0, AreaCount).Select(_ => new List<long>()).ToArray();
        foreach (var e in Events)
        {
            if (e.IsCoarse)
            {
                if (e.Area < 0 || e.Area >= AreaCount) continue;
                area[e.Area].Add(e.Ticks);
                if (e.Category == TopCategory) areaTop[e.Area].Add(e.Ticks);
            }
            else if (index.TryGetValue(e.Cell, out var u))
            {
                fine[u].Add(e.Ticks);
                if (e.Category == TopCategory) fineTop[u].Add(e.Ticks);
            }
        }
        FineTimes = fine.Select(l => l.ToArray()).ToArray();
        FineTopTimes = fineTop.Select(l => l.ToArray()).ToArray();
        AreaTimes = area.Select(l => l.ToArray()).ToArray();
        AreaTopTimes = areaTop.Select(l => l.ToArray()).ToArray();
    }

    /// <summary>The history as it was at <paramref name="origin"/>: nothing at or after it is visible.</summary>
    public HistoryView At(DateTime origin) => new(this, origin);

    /// <summary>Areas that held a coarse event before <see cref="ActiveBefore"/>.</summary>
    public IEnumerable<int> ActiveAreas()
    {
        for (var a = 0; a < AreaCount; a++)
            if (AreaTimes[a].Length > 0 && AreaTimes[a][0] < ActiveBefore.Ticks) yield return a;
    }
}

/// <summary>
/// What a model may see when forecasting from <see cref="Origin"/>: events strictly before it. Every accessor clamps
/// to the origin and asking for a window that ends after it throws — leakage is impossible by construction, and the
/// leakage test proves an event right after the origin changes no forecast.
/// </summary>
public sealed class HistoryView
{
    private readonly RiskDataset _data;
    private readonly long _origin;

    internal HistoryView(RiskDataset data, DateTime origin)
    {
        _data = data;
        _origin = origin.Ticks;
        Origin = origin;
        EventCount = UpperBound(data.EventTicks, _origin);
    }

    public DateTime Origin { get; }
    public RiskDataset Data => _data;
    public int EventCount { get; }

    /// <summary>An earlier view (for building training examples); never a later one.</summary>
    public HistoryView At(DateTime earlier) =>
        earlier.Ticks > _origin
            ? throw new InvalidOperationException($"Leakage: a view at {Origin:u} cannot look at {earlier:u}.")
            : new HistoryView(_data, earlier);

    /// <summary>Events before the origin, oldest first.</summary>
    public ReadOnlySpan<RiskEvent> Events => _data.Events.AsSpan(0, EventCount);

    /// <summary>Events of any unit in [from, to); <paramref name="toTicks"/> must not pass the origin.</summary>
    public int CountAll(long fromTicks, long toTicks) => Count(_data.EventTicks, fromTicks, toTicks);

    /// <summary>Ticks of the first event of the history (the origin when there is none).</summary>
    public long FirstTicks => EventCount > 0 ? _data.EventTicks[0] : _origin;

    /// <summary>Events of a fine unit in [from, to); <paramref name="toTicks"/> must not pass the origin.</summary>
    public int CountFine(int unit, long fromTicks, long toTicks) => Count(_data.FineTimes[unit], fromTicks, toTicks);
    public int CountArea(int area, long fromTicks, long toTicks) => Count(_data.AreaTimes[area], fromTicks, toTicks);
    public int CountFineTop(int unit, long fromTicks) => Count(_data.FineTopTimes[unit], fromTicks, _origin);
    public int CountAreaTop(int area, long fromTicks) => Count(_data.AreaTopTimes[area], fromTicks, _origin);

    /// <summary>Times of a unit's events in [from, origin).</summary>
    public ReadOnlySpan<long> FineTimes(int unit, long fromTicks) => Slice(_data.FineTimes[unit], fromTicks);
    public ReadOnlySpan<long> AreaTimes(int area, long fromTicks) => Slice(_data.AreaTimes[area], fromTicks);

    private ReadOnlySpan<long> Slice(long[] times, long from)
    {
        var lo = LowerBound(times, from);
        var hi = UpperBound(times, _origin);
        return hi > lo ? times.AsSpan(lo, hi - lo) : [];
    }

    private int Count(long[] times, long from, long to)
    {
        if (to > _origin) throw new InvalidOperationException($"Leakage: window ends after the origin {Origin:u}.");
        if (times.Length == 0 || to <= from) return 0;
        return Math.Max(0, LowerBound(times, to) - LowerBound(times, from));
    }

    /// <summary>First index with value &gt;= x.</summary>
    internal static int LowerBound(long[] a, long x)
    {
        int lo = 0, hi = a.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (a[mid] < x) lo = mid + 1; else hi = mid;
        }
        return lo;
    }

    /// <summary>Number of values strictly below x (visible before an origin at x).</summary>
    internal static int UpperBound(long[] a, long x) => LowerBound(a, x);
}
