using System.Buffers;
using System.Reflection;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.Extensions.Options;

namespace Halo.Api.Features.Predictions.Serving;

/// <summary>
/// The 200 answer of <c>GET /api/v1/predictions/hotspots</c>, written with a <see cref="Utf8JsonWriter"/> straight into
/// the response body. The bytes are those the serializer writes for <see cref="HotspotsResponse"/> /
/// <see cref="HotspotFeatureCollection"/> (same names, order, number and string formats — a test compares them), but
/// each cell's id, centre and outline are copied from JSON kept in the snapshot, and no per-cell DTOs, arrays or
/// factor lists are allocated: this is the hot path of the map.
/// </summary>
public sealed class HotspotsResult : IResult, IStatusCodeHttpResult, IContentTypeHttpResult, IEndpointMetadataProvider
{
    public const string GeoJsonContentType = "application/geo+json";
    private const string JsonContentType = "application/json; charset=utf-8";

    private readonly PredictionSnapshot _s;
    private readonly RiskModelService _service;
    private readonly HotspotRow[] _rows;
    private readonly int _hours;
    private readonly int _resolution;
    private readonly bool _geoJson;
    private readonly bool _summary;

    public HotspotsResult(PredictionSnapshot snapshot, RiskModelService service, HotspotRow[] rows, int hoursAhead, int resolution, bool geoJson,
        bool summary = false)
    {
        _summary = summary;
        _s = snapshot;
        _service = service;
        _rows = rows;
        _hours = hoursAhead;
        _resolution = resolution;
        _geoJson = geoJson;
    }

    public int? StatusCode => StatusCodes.Status200OK;
    public string ContentType => _geoJson ? GeoJsonContentType : JsonContentType;

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var json = httpContext.RequestServices.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
        var response = httpContext.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = ContentType;
        await using (var writer = new Utf8JsonWriter(response.BodyWriter, WriterOptions(json)))
            Write(writer);
        await response.BodyWriter.FlushAsync(httpContext.RequestAborted);
    }

    /// <summary>The writer settings the serializer would use with these options.</summary>
    public static JsonWriterOptions WriterOptions(JsonSerializerOptions json) =>
        new() { Encoder = json.Encoder, Indented = json.WriteIndented, MaxDepth = json.MaxDepth == 0 ? 64 : json.MaxDepth, SkipValidation = true };

    /// <summary>Writes the whole document (public so the tests can compare it with the DTO serialisation).</summary>
    public void Write(Utf8JsonWriter w)
    {
        var model = _s.Model;
        var time = _s.Origin.AddHours(_hours);
        w.WriteStartObject();
        if (_geoJson) w.WriteString(Names.Type, "FeatureCollection");
        w.WriteString(Names.ModelVersion, model.Version);
        w.WriteString(Names.ModelName, model.Model.Name);
        w.WriteString(Names.ComputedAt, _s.ComputedAt);
        w.WriteString(Names.PredictionTime, time);
        w.WriteNumber(Names.HoursAhead, _hours);
        w.WriteNumber(Names.Resolution, _resolution);
        w.WriteNumber(Names.ReferenceRate, model.ReferenceRate);
        var window = PredictionsEndpoints.Window(_s);
        w.WriteStartObject(Names.DataWindow);
        w.WriteString(Names.From, window.From);
        w.WriteString(Names.To, window.To);
        w.WriteString(Names.HistoryEnd, window.HistoryEnd);
        w.WriteBoolean(Names.Stale, window.Stale);
        if (window.Note is null) w.WriteNull(Names.Note); else w.WriteString(Names.Note, window.Note);
        w.WriteEndObject();
        w.WriteStartArray(Names.Levels);
        foreach (var l in _service.Levels)
        {
            w.WriteStartObject();
            w.WriteString(Names.Level, l.Level);
            w.WriteNumber(Names.From, l.From);
            w.WriteString(Names.Color, l.Color);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        if (!_geoJson) w.WriteNumber(Names.Count, _rows.Length);
        w.WriteStartArray(_geoJson ? Names.Features : Names.Cells);
        var factors = new FactorText[3];
        // The factors' cached bytes are escaped as the API escapes; a writer with another encoder escapes them itself.
        var cached = FactorText.MatchesWire(w.Options.Encoder);
        // A cell at the snapshot's resolution is the same object on every request (its row is its own expected count):
        // its bytes are kept in the snapshot. Parents and writers unlike the API's (indented, other encoder) write afresh.
        var reuse = cached && !w.Options.Indented && _resolution == _s.Resolution;
        var variant = (_geoJson ? 2 : 0) + (_summary ? 1 : 0);
        foreach (var row in _rows)
        {
            if (!reuse) { WriteCell(w, row, time, factors, cached); continue; }
            var bytes = _s.CellJson(variant, _hours, row.Source);
            if (bytes is null && _s.CellJsonFull) { WriteCell(w, row, time, factors, cached); continue; }
            if (bytes is null)
            {
                var buffer = new ArrayBufferWriter<byte>(2048);
                using (var cw = new Utf8JsonWriter(buffer, w.Options)) WriteCell(cw, row, time, factors, cached);
                bytes = buffer.WrittenSpan.ToArray();
                _s.KeepCellJson(variant, _hours, row.Source, bytes);
            }
            w.WriteRawValue(bytes, skipInputValidation: true);
        }
        w.WriteEndArray();
        w.WriteEndObject();
    }

    /// <summary>One cell's object in the cells (or features) array.</summary>
    private void WriteCell(Utf8JsonWriter w, HotspotRow row, DateTime time, Span<FactorText> factors, bool cached)
    {
        var model = _s.Model;
        // Parents (a coarser resolution) are outside the snapshot's per-cell cache; they are the rare, small case.
        var shape = _resolution == _s.Resolution ? _s.Shape(row.Source) : CellShape.Of(new Halo.H3.H3Index(row.Cell));
        var score = RiskMath.Score(row.Expected, model.ReferenceRate, _s.Resolution, _resolution);
        var nf = _summary ? 0 : _s.TopFactors(row.Source, _hours, factors);
        w.WriteStartObject();
        if (_geoJson)
        {
            w.WriteString(Names.Type, "Feature");
            w.WriteString(Names.Id, shape.H3Json);
            w.WritePropertyName(Names.Geometry);
            w.WriteRawValue(shape.GeometryJson, skipInputValidation: true);
            w.WriteStartObject(Names.Properties);
            w.WriteString(Names.H3, shape.H3Json);
            if (_summary)
            {
                WriteSummary(w, score, row, time);
                w.WriteEndObject();
                w.WriteEndObject();
                return;
            }
            w.WritePropertyName(Names.Center);
            w.WriteRawValue(shape.CenterJson, skipInputValidation: true);
            w.WriteNumber(Names.RiskScore, Math.Round(score, 4));
            w.WriteString(Names.RiskLevel, _service.Level(score));
            w.WriteNumber(Names.ExpectedCount, RiskMath.Round(row.Expected));
            w.WriteNumber(Names.ProbabilityAny, RiskMath.Round(RiskMath.ProbabilityAny(row.Expected)));
            w.WriteNumber(Names.Confidence, Math.Round(_s.Confidence[row.Source], 3));
            WriteFactors(w, factors[..nf], cached);
            WriteSupport(w, row.Expected, SupportOf(row));
            w.WriteString(Names.PredictionTime, time);
            w.WriteEndObject();
        }
        else
        {
            w.WriteString(Names.H3, shape.H3Json);
            w.WriteNumber(Names.Resolution, _resolution);
            w.WriteNumber(Names.Lat, shape.Lat);
            w.WriteNumber(Names.Lon, shape.Lon);
            w.WritePropertyName(Names.Boundary);
            w.WriteRawValue(shape.BoundaryJson, skipInputValidation: true);
            if (_summary)
            {
                WriteSummary(w, score, row, time);
                w.WriteEndObject();
                return;
            }
            w.WriteNumber(Names.ExpectedCount, RiskMath.Round(row.Expected));
            w.WriteNumber(Names.ProbabilityAny, RiskMath.Round(RiskMath.ProbabilityAny(row.Expected)));
            w.WriteNumber(Names.RiskScore, Math.Round(score, 4));
            w.WriteString(Names.RiskLevel, _service.Level(score));
            w.WriteNumber(Names.Confidence, Math.Round(_s.Confidence[row.Source], 3));
            WriteFactors(w, factors[..nf], cached);
            WriteSupport(w, row.Expected, SupportOf(row));
            w.WriteString(Names.PredictionTime, time);
        }
        w.WriteEndObject();
    }

    /// <summary>
    /// What a map draws and a tap shows first: the score, its level and the expected count, the hour they are for
    /// (a map swapping hours can tell which one a layer holds), and the support (a coarse-only cell is drawn as its area).
    /// </summary>
    private void WriteSummary(Utf8JsonWriter w, double score, HotspotRow row, DateTime time)
    {
        w.WriteNumber(Names.RiskScore, Math.Round(score, 4));
        w.WriteString(Names.RiskLevel, _service.Level(score));
        w.WriteNumber(Names.ExpectedCount, RiskMath.Round(row.Expected));
        w.WriteString(Names.ExpectedCountDisplay, RiskMath.ExpectedDisplay(row.Expected));
        w.WriteString(Names.PredictionTime, time);
        var support = SupportOf(row);
        w.WriteString(Names.Support, support.Kind);
        if (support.Area is { } a) WriteArea(w, a);
    }

    /// <summary>A cell's own support; a parent's is fine when any of its children's is (it then has fine detail to show).</summary>
    private CellSupport SupportOf(HotspotRow row) =>
        _resolution != _s.Resolution && row.AnyFine ? new CellSupport("fine", _resolution, null) : _s.Support(row.Source);

    private static void WriteFactors(Utf8JsonWriter w, ReadOnlySpan<FactorText> factors, bool cached)
    {
        w.WriteStartArray(Names.Factors);
        foreach (var f in factors)
            if (cached) w.WriteStringValue(f.Json); else w.WriteStringValue(f.Text);
        w.WriteEndArray();
        w.WriteStartArray(Names.FactorDetails);
        foreach (var f in factors)
            if (cached) w.WriteRawValue(f.DataJson, skipInputValidation: true); else JsonSerializer.Serialize(w, f.Data, FactorText.WireJson);
        w.WriteEndArray();
    }

    /// <summary>The display strings of the count and probability (one rule, <see cref="RiskMath"/>) and the cell's support.</summary>
    private static void WriteSupport(Utf8JsonWriter w, double expected, CellSupport support)
    {
        w.WriteString(Names.ExpectedCountDisplay, RiskMath.ExpectedDisplay(expected));
        w.WriteString(Names.ProbabilityDisplay, RiskMath.ProbabilityDisplay(expected));
        w.WriteString(Names.Support, support.Kind);
        w.WriteNumber(Names.SupportResolution, support.Resolution);
        if (support.Area is not { } a) w.WriteNull(Names.SupportArea);
        else WriteArea(w, a);
    }

    private static void WriteArea(Utf8JsonWriter w, AreaRefDto a)
    {
        w.WriteStartObject(Names.SupportArea);
        w.WriteString(Names.Name, a.Name);
        w.WriteString(Names.Kind, a.Kind);
        w.WriteString(Names.Code, a.Code);
        w.WriteEndObject();
    }

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder)
    {
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(HotspotsResponse), ["application/json"]));
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(HotspotFeatureCollection), [GeoJsonContentType]));
    }

    /// <summary>The snake_case names of the wire DTOs, encoded once.</summary>
    private static class Names
    {
        public static readonly JsonEncodedText Type = JsonEncodedText.Encode("type");
        public static readonly JsonEncodedText ModelVersion = JsonEncodedText.Encode("model_version");
        public static readonly JsonEncodedText ModelName = JsonEncodedText.Encode("model_name");
        public static readonly JsonEncodedText ComputedAt = JsonEncodedText.Encode("computed_at");
        public static readonly JsonEncodedText PredictionTime = JsonEncodedText.Encode("prediction_time");
        public static readonly JsonEncodedText HoursAhead = JsonEncodedText.Encode("hours_ahead");
        public static readonly JsonEncodedText Resolution = JsonEncodedText.Encode("resolution");
        public static readonly JsonEncodedText ReferenceRate = JsonEncodedText.Encode("reference_rate");
        public static readonly JsonEncodedText DataWindow = JsonEncodedText.Encode("data_window");
        public static readonly JsonEncodedText From = JsonEncodedText.Encode("from");
        public static readonly JsonEncodedText To = JsonEncodedText.Encode("to");
        public static readonly JsonEncodedText HistoryEnd = JsonEncodedText.Encode("history_end");
        public static readonly JsonEncodedText Stale = JsonEncodedText.Encode("stale");
        public static readonly JsonEncodedText Note = JsonEncodedText.Encode("note");
        public static readonly JsonEncodedText Levels = JsonEncodedText.Encode("levels");
        public static readonly JsonEncodedText Level = JsonEncodedText.Encode("level");
        public static readonly JsonEncodedText Color = JsonEncodedText.Encode("color");
        public static readonly JsonEncodedText Count = JsonEncodedText.Encode("count");
        public static readonly JsonEncodedText Cells = JsonEncodedText.Encode("cells");
        public static readonly JsonEncodedText Features = JsonEncodedText.Encode("features");
        public static readonly JsonEncodedText Id = JsonEncodedText.Encode("id");
        public static readonly JsonEncodedText Geometry = JsonEncodedText.Encode("geometry");
        public static readonly JsonEncodedText Properties = JsonEncodedText.Encode("properties");
        public static readonly JsonEncodedText H3 = JsonEncodedText.Encode("h3");
        public static readonly JsonEncodedText Center = JsonEncodedText.Encode("center");
        public static readonly JsonEncodedText Lat = JsonEncodedText.Encode("lat");
        public static readonly JsonEncodedText Lon = JsonEncodedText.Encode("lon");
        public static readonly JsonEncodedText Boundary = JsonEncodedText.Encode("boundary");
        public static readonly JsonEncodedText ExpectedCount = JsonEncodedText.Encode("expected_count");
        public static readonly JsonEncodedText ProbabilityAny = JsonEncodedText.Encode("probability_any");
        public static readonly JsonEncodedText RiskScore = JsonEncodedText.Encode("risk_score");
        public static readonly JsonEncodedText RiskLevel = JsonEncodedText.Encode("risk_level");
        public static readonly JsonEncodedText Confidence = JsonEncodedText.Encode("confidence");
        public static readonly JsonEncodedText Factors = JsonEncodedText.Encode("factors");
        public static readonly JsonEncodedText FactorDetails = JsonEncodedText.Encode("factor_details");
        public static readonly JsonEncodedText ExpectedCountDisplay = JsonEncodedText.Encode("expected_count_display");
        public static readonly JsonEncodedText ProbabilityDisplay = JsonEncodedText.Encode("probability_display");
        public static readonly JsonEncodedText Support = JsonEncodedText.Encode("support");
        public static readonly JsonEncodedText SupportResolution = JsonEncodedText.Encode("support_resolution");
        public static readonly JsonEncodedText SupportArea = JsonEncodedText.Encode("support_area");
        public static readonly JsonEncodedText Name = JsonEncodedText.Encode("name");
        public static readonly JsonEncodedText Kind = JsonEncodedText.Encode("kind");
        public static readonly JsonEncodedText Code = JsonEncodedText.Encode("code");
    }
}
