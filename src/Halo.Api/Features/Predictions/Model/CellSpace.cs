namespace Halo.Api.Features.Predictions.Model;

/// <summary>
/// The cells forecasts are made and scored for ("the area"): every fine unit (cells that held a fine event in the
/// training data, plus their 1-ring) and every cell of an area that held a coarse event (the precision those events
/// really have; no extra ring, the area already is their whole uncertainty). A cell's expected count is its fine unit's
/// forecast plus its municipality's and county's forecasts divided by their cell counts, plus a small floor.
/// </summary>
public sealed class CellSpace
{
    /// <summary>Share of the mean cell-hour rate every cell gets at least, so no cell is ever "impossible".</summary>
    public const double FloorShare = 0.05;

    public ulong[] Cells { get; }
    public int[] Fine { get; }
    public int[] Municipality { get; }
    public int[] County { get; }
    public IReadOnlyDictionary<ulong, int> Index { get; }

    /// <summary>Expected events per cell-hour added to every cell: <see cref="FloorShare"/> × the training data's mean.</summary>
    public double FloorPerHour { get; }

    private readonly double[] _areaShare; // 1 / cells of the area

    public CellSpace(RiskDataset d)
    {
        var cells = new HashSet<ulong>(d.FineCells);
        var areas = d.Areas;
        var active = d.ActiveAreas().ToList();
        if (areas is not null)
        {
            foreach (var a in active) cells.UnionWith(areas.Cells[a]);
        }
        Cells = cells.Order().ToArray();
        var index = new Dictionary<ulong, int>(Cells.Length);
        Fine = new int[Cells.Length];
        Municipality = new int[Cells.Length];
        County = new int[Cells.Length];
        for (var i = 0; i < Cells.Length; i++)
        {
            var c = Cells[i];
            index[c] = i;
            Fine[i] = d.FineIndex.TryGetValue(c, out var f) ? f : -1;
            Municipality[i] = areas is not null && areas.MunicipalityOfCell.TryGetValue(c, out var m) ? m : -1;
            County[i] = Municipality[i] >= 0 ? areas!.CountyOf[Municipality[i]] : -1;
        }
        Index = index;
        _areaShare = areas is null ? [] : areas.Cells.Select(c => 1.0 / Math.Max(1, c.Length)).ToArray();
        _areas = areas;
        _areaCells = new int[]?[areas?.Cells.Length ?? 0];

        var from = d.ActiveBefore.AddDays(-365).Ticks;
        var recent = d.At(d.ActiveBefore).Events;
        var n = 0;
        for (var i = recent.Length - 1; i >= 0 && recent[i].Ticks >= from; i--) n++;
        FloorPerHour = Cells.Length == 0 ? 1e-6 : Math.Max(1e-9, FloorShare * n / (365.0 * 24 * Cells.Length));
    }

    public int Count => Cells.Length;

    private readonly AreaCells? _areas;
    private readonly int[]?[] _areaCells = [];

    /// <summary>Indices into <see cref="Cells"/> of an area's cells (built on first use; the backtest reads them per event).</summary>
    public int[] AreaCellIndices(int area)
    {
        if (_areaCells[area] is { } known) return known;
        var list = new List<int>(_areas!.Cells[area].Length);
        foreach (var cell in _areas.Cells[area])
            if (Index.TryGetValue(cell, out var c)) list.Add(c);
        return _areaCells[area] = [.. list];
    }

    /// <summary>Spread weight of one coarse event over one cell of its area.</summary>
    public double AreaShare(int area) => _areaShare[area];

    /// <summary>Each cell's expected count over the forecast's 24 hours (floor not included).</summary>
    public double[] CellDaily(UnitForecast f, RiskDataset d)
    {
        var nf = d.FineCells.Length;
        var p = new double[Cells.Length];
        for (var i = 0; i < p.Length; i++)
        {
            var v = 0.0;
            if (Fine[i] >= 0) v += f.Daily[Fine[i]];
            if (Municipality[i] >= 0) v += f.Daily[nf + Municipality[i]] * _areaShare[Municipality[i]];
            if (County[i] >= 0) v += f.Daily[nf + County[i]] * _areaShare[County[i]];
            p[i] = v;
        }
        return p;
    }
}
