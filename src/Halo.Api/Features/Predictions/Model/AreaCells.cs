using System.Collections.Concurrent;
using Halo.Api.Features.Geo;

namespace Halo.Api.Features.Predictions.Model;

/// <summary>
/// The H3 cells of every Swedish municipality and county at one resolution, so a coarse police event (known only to
/// its area) can be spread over the cells of that area instead of sitting on the area's centroid. Areas 0..289 are
/// municipalities, the rest counties; a county's cells are the union of its municipalities' cells, so every cell
/// belongs to at most one municipality and one county. Built once per resolution and cached.
/// </summary>
public sealed class AreaCells
{
    private static readonly ConcurrentDictionary<(SwedishAreas, int), Lazy<AreaCells>> Cache = new();

    private readonly Dictionary<string, int> _byName;

    public int Resolution { get; }
    public IReadOnlyList<SwedishArea> Areas { get; }
    public int MunicipalityCount { get; }

    /// <summary>Cells of each area (sorted).</summary>
    public ulong[][] Cells { get; }

    /// <summary>Area index → its county's area index (a county maps to itself).</summary>
    public int[] CountyOf { get; }

    /// <summary>Cell → municipality area index, for every cell of every municipality.</summary>
    public IReadOnlyDictionary<ulong, int> MunicipalityOfCell { get; }

    private AreaCells(SwedishAreas areas, int resolution)
    {
        Resolution = resolution;
        var list = areas.Municipalities.Concat(areas.Counties).ToList();
        Areas = list;
        MunicipalityCount = areas.Municipalities.Count;
        _byName = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < list.Count; i++) _byName[list[i].Code + (list[i].Kind == SwedishAreaKind.County ? "L" : "K")] = i;
        var countyIndex = areas.Counties.Select((c, i) => (c.Code, i)).ToDictionary(x => x.Code, x => MunicipalityCount + x.i);
        CountyOf = list.Select((a, i) => a.Kind == SwedishAreaKind.County ? i : countyIndex.GetValueOrDefault(a.CountyCode, -1)).ToArray();

        var cells = new ulong[list.Count][];
        var muniOf = new Dictionary<ulong, int>();
        Parallel.For(0, MunicipalityCount, i => cells[i] = Fill(list[i], resolution));
        for (var i = 0; i < MunicipalityCount; i++)
            foreach (var c in cells[i]) muniOf.TryAdd(c, i); // simplified borders may overlap by a cell: first wins
        for (var i = 0; i < MunicipalityCount; i++) cells[i] = cells[i].Where(c => muniOf[c] == i).ToArray();
        for (var k = MunicipalityCount; k < list.Count; k++)
        {
            var members = Enumerable.Range(0, MunicipalityCount).Where(m => CountyOf[m] == k).SelectMany(m => cells[m]).ToArray();
            Array.Sort(members);
            cells[k] = members;
        }
        Cells = cells;
        MunicipalityOfCell = muniOf;
    }

    /// <summary>The cells of every area at <paramref name="resolution"/> (cached).</summary>
    public static AreaCells For(SwedishAreas areas, int resolution) =>
        Cache.GetOrAdd((areas, resolution), key => new Lazy<AreaCells>(() => new AreaCells(key.Item1, key.Item2))).Value;

    public int IndexOf(SwedishArea area) => _byName[area.Code + (area.Kind == SwedishAreaKind.County ? "L" : "K")];

    private static ulong[] Fill(SwedishArea area, int resolution)
    {
        var set = new HashSet<ulong>();
        foreach (var rings in GeoShapes.Rings(area.Polygon))
            foreach (var c in Halo.H3.H3.PolygonToCells(rings, resolution)) set.Add(c.Value);
        // A polygon smaller than one cell has no cell centre inside: it still owns the cell under its centroid.
        if (set.Count == 0)
        {
            var centre = area.Polygon.EnvelopeInternal.Centre; // x = longitude, y = latitude
            set.Add(Halo.H3.H3.LatLngToCell(centre.Y, centre.X, resolution).Value);
        }
        var arr = set.ToArray();
        Array.Sort(arr);
        return arr;
    }
}
