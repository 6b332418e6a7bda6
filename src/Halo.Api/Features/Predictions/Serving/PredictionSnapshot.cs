using System.Globalization;
using System.Text.Json;
using Halo.Api.Features.Predictions.Model;
using Halo.H3;

namespace Halo.Api.Features.Predictions.Serving;

/// <summary>The model that serves: the fitted model object plus what the registry says about it.</summary>
public sealed record ServingModel(
    string Version, IRiskModel Model, DateTime TrainedAt, DateTime DataFrom, DateTime DataTo, double ReferenceRate,
    string? WhyChosen, DateTime? ValidationFrom, IReadOnlyList<ModelMetricsDto> Validation);

/// <summary>
/// One ranked hotspot: the cell (or parent cell), its expected events at the hour, the snapshot cell whose factors it
/// shows, and for a parent whether any of its children has fine support (then the parent is drawn as a cell).
/// </summary>
public readonly record struct HotspotRow(ulong Cell, double Expected, int Source, bool AnyFine = false);

/// <summary>
/// A reason shown with a forecast: its weight (the most telling first), its English text, the same reason as data
/// (<see cref="FactorDto"/>, for the apps to word in their language), and both serialised once.
/// </summary>
public readonly record struct FactorText(double Weight, string Text, FactorDto Data)
{
    /// <summary>Escaped as the API's encoder escapes it, so the hot path copies it instead of escaping "×", "–", "å"… per request.</summary>
    public JsonEncodedText Json { get; } = JsonEncodedText.Encode(Text, WireJson.Encoder);

    /// <summary>The <see cref="FactorDto"/> as the API's serializer writes it.</summary>
    public byte[] DataJson { get; } = JsonSerializer.SerializeToUtf8Bytes(Data, WireJson);

    /// <summary>
    /// The API's wire options: ASP.NET Core's defaults (whose encoder is the relaxed one, not
    /// <see cref="System.Text.Encodings.Web.JavaScriptEncoder.Default"/>) plus <see cref="Infrastructure.ServiceDefaults.ConfigureJson"/>.
    /// </summary>
    public static readonly JsonSerializerOptions WireJson = Wire();

    /// <summary>Whether a writer escapes as <see cref="WireJson"/> does, so that the cached bytes are what it would write.</summary>
    public static bool MatchesWire(System.Text.Encodings.Web.JavaScriptEncoder? encoder) =>
        ReferenceEquals(encoder ?? System.Text.Encodings.Web.JavaScriptEncoder.Default, WireJson.Encoder ?? System.Text.Encodings.Web.JavaScriptEncoder.Default);

    private static JsonSerializerOptions Wire()
    {
        var o = new Microsoft.AspNetCore.Http.Json.JsonOptions().SerializerOptions;
        Infrastructure.ServiceDefaults.ConfigureJson(o);
        return o;
    }
}

/// <summary>
/// What supports a cell's forecast: <c>fine</c> (fine events — citizen reports, refined police positions — in the cell or
/// its 1-ring in the past 365 days: draw the cell), <c>coarse</c> (only events known to the municipality or county: draw
/// at <see cref="Resolution"/>, the finest H3 resolution at which the area spans about one cell and its ring, or the
/// area's outline), <c>background</c> (neither: only the floor).
/// </summary>
public sealed record CellSupport(string Kind, int Resolution, AreaRefDto? Area);

/// <summary>
/// Immutable forecasts for every active cell for the 24 hours from <see cref="Origin"/> (the current hour), built once
/// an hour and after every training and swapped in with one reference write; requests read it without locks or
/// database queries. Expected counts are stored per cell-hour; risk scores are derived on read.
/// </summary>
public sealed class PredictionSnapshot
{
    private const double BucketDeg = 0.05;
    private readonly Dictionary<(int, int), int[]> _buckets;
    private readonly Dictionary<ulong, int> _index;
    // Derived per-cell output, filled lazily and idempotently: a race only computes the same value twice.
    private readonly FactorText[]?[] _factors;
    private readonly CellShape?[] _shapes;
    private readonly FactorText?[] _hourFactors;
    private readonly CellSupport?[] _support;

    public ServingModel Model { get; }
    public DateTime ComputedAt { get; }
    public DateTime Origin { get; }
    public DateTime HistoryEnd { get; }
    public int Resolution { get; }
    public ulong[] Cells { get; }
    public double[] Lat { get; }
    public double[] Lon { get; }
    /// <summary>Expected events, cell-major: [cell * 24 + hour].</summary>
    public float[] Expected { get; }
    public float[] Confidence { get; }
    public double[] HourMultipliers { get; }
    internal RiskDataset Data { get; }
    internal CellSpace Space { get; }
    internal UnitFeatures Features { get; }
    public string? TopCategory { get; }

    internal PredictionSnapshot(ServingModel model, RiskDataset data, CellSpace space, UnitFeatures features, HourProfile profile,
        double[] daily, double[] shape, DateTime origin, DateTime historyEnd, DateTime computedAt)
    {
        Model = model;
        Data = data;
        Space = space;
        Features = features;
        Origin = origin;
        HistoryEnd = historyEnd;
        ComputedAt = computedAt;
        Resolution = data.Resolution;
        Cells = space.Cells;
        TopCategory = data.CategoryNames.Count > data.TopCategory ? data.CategoryNames[data.TopCategory] : null;
        var n = Cells.Length;
        Lat = new double[n];
        Lon = new double[n];
        Expected = new float[n * 24];
        Confidence = new float[n];
        HourMultipliers = Enumerable.Range(0, 24).Select(h => profile.At(origin.AddHours(h))).ToArray();
        _buckets = [];
        _index = new Dictionary<ulong, int>(n);
        var buckets = new Dictionary<(int, int), List<int>>();
        var nf = data.FineCells.Length;
        var own = features.Columns[Array.IndexOf(UnitFeatures.Names, "own_365d")];
        var ring = features.Columns[Array.IndexOf(UnitFeatures.Names, "ring1_365d")];
        var floor = space.FloorPerHour;
        for (var c = 0; c < n; c++)
        {
            var ll = H3.H3.CellToLatLng(new H3Index(Cells[c]));
            Lat[c] = ll.LatDegrees;
            Lon[c] = ll.LngDegrees;
            _index[Cells[c]] = c;
            var key = ((int)Math.Floor(Lat[c] / BucketDeg), (int)Math.Floor(Lon[c] / BucketDeg));
            if (!buckets.TryGetValue(key, out var list)) buckets[key] = list = [];
            list.Add(c);
            for (var h = 0; h < 24; h++) Expected[c * 24 + h] = (float)(daily[c] * shape[h] + floor);
            // Confidence grows with the events that inform the cell: n / (n + 10) over the past 365 days.
            double informing = 0;
            if (space.Fine[c] >= 0) informing += own[space.Fine[c]] + ring[space.Fine[c]];
            if (space.Municipality[c] >= 0) informing += own[nf + space.Municipality[c]];
            if (space.County[c] >= 0) informing += own[nf + space.County[c]];
            Confidence[c] = (float)(informing / (informing + 10));
        }
        foreach (var (k, v) in buckets) _buckets[k] = [.. v];
        _factors = new FactorText[]?[n];
        _shapes = new CellShape?[n];
        _support = new CellSupport?[n];
        _hourFactors = new FactorText?[24];
        for (var h = 0; h < 24; h++) _hourFactors[h] = HourFactor(h);
    }

    public int Count => Cells.Length;

    private readonly ulong[]?[] _parents = new ulong[]?[16];

    /// <summary>
    /// Each cell's parent at <paramref name="resolution"/>, computed once per snapshot: a country view asks for
    /// parents of every cell on each request. Two threads racing here compute the same array.
    /// </summary>
    public ulong[] Parents(int resolution) => _parents[resolution] ??= Cells.Select(c => H3.H3.CellToParent(new H3Index(c), resolution).Value).ToArray();

    public bool TryIndex(ulong cell, out int index) => _index.TryGetValue(cell, out index);

    /// <summary>Cells whose centre lies in the box, via 0.05° buckets (no scan of the whole country).</summary>
    public List<int> InBox(double minLat, double minLon, double maxLat, double maxLon)
    {
        var result = new List<int>();
        int la0 = (int)Math.Floor(minLat / BucketDeg), la1 = (int)Math.Floor(maxLat / BucketDeg);
        int lo0 = (int)Math.Floor(minLon / BucketDeg), lo1 = (int)Math.Floor(maxLon / BucketDeg);
        if ((long)(la1 - la0 + 1) * (lo1 - lo0 + 1) > _buckets.Count)
        {
            // A box larger than the data: walk the buckets that exist instead of the empty ones.
            foreach (var ((la, lo), cells) in _buckets)
                if (la >= la0 && la <= la1 && lo >= lo0 && lo <= lo1) Add(cells);
            return result;
        }
        for (var la = la0; la <= la1; la++)
            for (var lo = lo0; lo <= lo1; lo++)
                if (_buckets.TryGetValue((la, lo), out var cells)) Add(cells);
        return result;

        void Add(int[] cells)
        {
            foreach (var c in cells)
                if (Lat[c] >= minLat && Lat[c] <= maxLat && Lon[c] >= minLon && Lon[c] <= maxLon) result.Add(c);
        }
    }

    /// <summary>
    /// The <paramref name="limit"/> cells in the box (and passing <paramref name="keep"/>) with the most expected events at
    /// the hour, best first, ties by cell id. A bounded min-heap keeps the running top: candidates that cannot enter it
    /// cost one comparison, so a city's ~2,000 cells are ranked without sorting them or allocating per candidate.
    /// </summary>
    public HotspotRow[] TopInBox(double minLat, double minLon, double maxLat, double maxLon, int hour, double minExpected, int limit,
        Func<double, double, bool>? keep = null)
    {
        var heap = new HotspotRow[Math.Min(limit, Count)];
        var n = 0;
        int la0 = (int)Math.Floor(minLat / BucketDeg), la1 = (int)Math.Floor(maxLat / BucketDeg);
        int lo0 = (int)Math.Floor(minLon / BucketDeg), lo1 = (int)Math.Floor(maxLon / BucketDeg);
        if ((long)(la1 - la0 + 1) * (lo1 - lo0 + 1) > _buckets.Count)
        {
            foreach (var ((la, lo), cells) in _buckets)
                if (la >= la0 && la <= la1 && lo >= lo0 && lo <= lo1) Offer(cells);
        }
        else
        {
            for (var la = la0; la <= la1; la++)
                for (var lo = lo0; lo <= lo1; lo++)
                    if (_buckets.TryGetValue((la, lo), out var cells)) Offer(cells);
        }
        var top = heap[..n];
        Array.Sort(top, static (a, b) => Worse(a, b) ? 1 : Worse(b, a) ? -1 : 0);
        return top;

        void Offer(int[] cells)
        {
            foreach (var c in cells)
            {
                if (Lat[c] < minLat || Lat[c] > maxLat || Lon[c] < minLon || Lon[c] > maxLon) continue;
                double e = Expected[c * 24 + hour];
                if (!(e >= minExpected) || (keep is not null && !keep(Lat[c], Lon[c]))) continue;
                var row = new HotspotRow(Cells[c], e, c);
                if (n < heap.Length)
                {
                    // Sift up: the root stays the worst row kept.
                    var i = n++;
                    while (i > 0 && Worse(row, heap[(i - 1) / 2])) { heap[i] = heap[(i - 1) / 2]; i = (i - 1) / 2; }
                    heap[i] = row;
                }
                else if (n > 0 && Worse(heap[0], row))
                {
                    var i = 0;
                    while (true)
                    {
                        var child = 2 * i + 1;
                        if (child >= n) break;
                        if (child + 1 < n && Worse(heap[child + 1], heap[child])) child++;
                        if (!Worse(heap[child], row)) break;
                        heap[i] = heap[child];
                        i = child;
                    }
                    heap[i] = row;
                }
            }
        }
    }

    /// <summary>Ranks as the API orders hotspots: more expected events first, then the lower cell id.</summary>
    private static bool Worse(in HotspotRow a, in HotspotRow b) => a.Expected < b.Expected || (a.Expected == b.Expected && a.Cell > b.Cell);

    /// <summary>Plain-language reasons for a cell's forecast at one hour, most telling first (at most three).</summary>
    public List<string> Factors(int c, int hour)
    {
        var top = new FactorText[3];
        var n = TopFactors(c, hour, top);
        return [.. top.Take(n).Select(f => f.Text)];
    }

    /// <summary>
    /// Writes the (at most three) most telling reasons into <paramref name="into"/> and returns how many. The cell's own
    /// reasons are worked out once per snapshot and kept sorted; only the hour-of-week reason depends on the hour, and it
    /// is merged in where a stable sort by weight would put it (after cell reasons of equal weight).
    /// </summary>
    public int TopFactors(int c, int hour, Span<FactorText> into)
    {
        var cell = _factors[c] ??= CellFactors(c);
        var hourly = _hourFactors[hour];
        if (cell.Length == 0 && hourly is null)
        {
            if (Model.Model.Name == LearnedRiskModel.ModelName) return 0;
            into[0] = Background;
            return 1;
        }
        var n = 0;
        var hourPending = hourly is not null;
        foreach (var f in cell)
        {
            if (n == into.Length) return n;
            if (hourPending && Comparer<double>.Default.Compare(f.Weight, hourly!.Value.Weight) < 0)
            {
                into[n++] = hourly.Value;
                hourPending = false;
                if (n == into.Length) return n;
            }
            into[n++] = f;
        }
        if (hourPending && n < into.Length) into[n++] = hourly!.Value;
        return n;
    }

    /// <summary>The reasons that do not depend on the hour, most telling first (stable for equal weights).</summary>
    private FactorText[] CellFactors(int c)
    {
        var inv = CultureInfo.InvariantCulture;
        var f = new List<FactorText>();
        var nf = Data.FineCells.Length;
        float Col(string name, int unit) => Features.Columns[Array.IndexOf(UnitFeatures.Names, name)][unit];
        var what = TopCategory is { } top ? top.Replace('_', ' ') : "events";
        if (Space.Fine[c] is var u and >= 0)
        {
            var recent = Col("own_1d", u) + Col("ring1_2d", u);
            var radius = Math.Round(H3.H3.GetHexagonEdgeLengthAvgM(Resolution) * 2 / 100) * 100;
            if (recent > 0) f.Add(new FactorText(10 + recent, string.Create(inv, $"{recent:0} {Plural(recent, "event")} within ~{radius:0} m in the last 48 h (mostly {what})"),
                new FactorDto("recent_nearby", Count: recent, WindowDays: 2, RadiusM: radius, Category: TopCategory)));
            var year = Col("own_365d", u) + Col("ring1_365d", u);
            if (year > 0) f.Add(new FactorText(1 + year / 10, string.Create(inv, $"{year:0} {Plural(year, "event")} in this cell and its neighbours in the past 365 days"),
                new FactorDto("year_nearby", Count: year, WindowDays: 365)));
            var trend = Col("trend_30_vs_365", u);
            if (trend >= 1.5 && year >= 5) f.Add(new FactorText(3 * trend, string.Create(inv, $"Rising: the last 30 days nearby are {trend:0.0}× the yearly average"),
                new FactorDto("rising", WindowDays: 30, Ratio: Math.Round(trend, 3))));
            var since = Col("days_since_ring1", u);
            if (since < 14) f.Add(new FactorText(2, string.Create(inv, $"Last event nearby {since:0} days ago"), new FactorDto("last_nearby", DaysAgo: Math.Round(since, 1))));
        }
        foreach (var area in new[] { Space.Municipality[c], Space.County[c] })
        {
            if (area < 0 || Data.Areas is null) continue;
            var unit = nf + area;
            var month = Col("own_30d", unit);
            if (month <= 0) continue;
            var a = Data.Areas.Areas[area];
            f.Add(new FactorText(1 + month / 30, string.Create(inv,
                $"{month:0} police {Plural(month, "event")} in {a.Name} in the last 30 days (their position is known only to the {(a.Kind == Geo.SwedishAreaKind.County ? "county" : "municipality")}, so they are spread over it)"),
                new FactorDto("area_events", Count: month, WindowDays: 30, Area: a.Name, AreaKind: a.Kind == Geo.SwedishAreaKind.County ? "county" : "municipality", AreaCode: a.Code)));
        }
        return [.. f.OrderByDescending(x => x.Weight)];
    }

    /// <summary>The hour-of-week reason, when the hour is notably busier or quieter than the week's average.</summary>
    private FactorText? HourFactor(int hour)
    {
        var m = HourMultipliers[hour];
        if (!(m >= 1.25 || m <= 0.8)) return null;
        var local = TimeZoneInfo.ConvertTimeFromUtc(Origin.AddHours(hour), Data.Zone);
        return new(4 * Math.Abs(Math.Log(m)), string.Create(CultureInfo.InvariantCulture,
            $"{local.DayOfWeek}s {local.Hour:00}:00–{(local.Hour + 1) % 24:00}:00 are {m:0.0}× the weekly average"),
            new FactorDto("hour_of_week", Ratio: m, DayOfWeek: (int)local.DayOfWeek, Hour: local.Hour));
    }

    /// <summary>What supports the cell's forecast and at what level it may be drawn (worked out once per snapshot, on first use).</summary>
    public CellSupport Support(int c) => _support[c] ??= SupportOf(c);

    private CellSupport SupportOf(int c)
    {
        var nf = Data.FineCells.Length;
        float Col(string name, int unit) => Features.Columns[Array.IndexOf(UnitFeatures.Names, name)][unit];
        if (Space.Fine[c] is var u and >= 0 && Col("own_365d", u) + Col("ring1_365d", u) > 0) return new("fine", Resolution, null);
        // The busiest area among the cell's municipality and county (by its past year's events).
        int best = -1;
        var bestCount = 0f;
        foreach (var a in new[] { Space.Municipality[c], Space.County[c] })
        {
            if (a < 0 || Data.Areas is null) continue;
            var n = Col("own_365d", nf + a);
            if (n > bestCount) { best = a; bestCount = n; }
        }
        if (best < 0) return new("background", Resolution, null);
        var area = Data.Areas!.Areas[best];
        // The finest resolution at which the area spans at most about 7 cells (one cell and its ring).
        var cells = (double)Data.Areas.Cells[best].Length;
        var r = Resolution;
        while (r > 5 && cells > 7) { cells /= 7; r--; }
        return new("coarse", r, new AreaRefDto(area.Name, area.Kind == Geo.SwedishAreaKind.County ? "county" : "municipality", area.Code));
    }

    /// <summary>The structured reasons (same order and selection as <see cref="Factors"/>).</summary>
    public List<FactorDto> FactorData(int c, int hour)
    {
        var top = new FactorText[3];
        var n = TopFactors(c, hour, top);
        return [.. top.Take(n).Select(f => f.Data)];
    }

    /// <summary>The cell's centre and outline, serialised once per snapshot (built on first use: most cells of the country are never asked for).</summary>
    public CellShape Shape(int c) => _shapes[c] ??= CellShape.Of(new H3Index(Cells[c]));

    // A cell's whole hotspot object, as the API writes it, per (format, detail, hour): the same bytes on every request
    // until the next snapshot, so the hot path copies them instead of formatting ~1 KB of numbers and text per cell.
    // The budget bounds a country-sized snapshot (cells × 24 hours × 4 shapes); past it, cells are written afresh.
    internal const long CellJsonBudgetBytes = 64L << 20;
    private readonly byte[]?[]?[] _cellJson = new byte[]?[]?[4 * 24];
    private long _cellJsonBytes;

    internal byte[]? CellJson(int variant, int hour, int c) => Volatile.Read(ref _cellJson[variant * 24 + hour])?[c];

    internal void KeepCellJson(int variant, int hour, int c, byte[] json)
    {
        if (Interlocked.Add(ref _cellJsonBytes, json.Length) > CellJsonBudgetBytes) { Interlocked.Add(ref _cellJsonBytes, -json.Length); return; }
        ref var slot = ref _cellJson[variant * 24 + hour];
        var cells = Volatile.Read(ref slot) ?? Interlocked.CompareExchange(ref slot, new byte[]?[Count], null) ?? slot!;
        // A race stores equal bytes twice and counts them twice: the budget errs on the small side.
        cells[c] = json;
    }

    internal long CellJsonBytes => Interlocked.Read(ref _cellJsonBytes);

    /// <summary>Whether the budget is spent: a writer then writes a missing cell straight out instead of building bytes to keep.</summary>
    internal bool CellJsonFull => CellJsonBytes >= CellJsonBudgetBytes;

    private static readonly FactorText Background = new(0, "No events nearby in the past year: the forecast is the background rate", new FactorDto("background"));

    private static string Plural(double n, string word) => Math.Abs(n - 1) < 1e-9 ? word : word + "s";
}
