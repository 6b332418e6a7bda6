using System.Buffers;
using System.Text.Json;
using Halo.H3;

namespace Halo.Api.Features.Predictions.Serving;

/// <summary>
/// A cell's id, centre and outline, rounded to 6 decimals as the API serves them, with the JSON of the outline already
/// written: the hotspot writer copies these bytes instead of formatting 14–16 numbers per cell per request.
/// </summary>
public sealed class CellShape
{
    private CellShape(string h3, double lat, double lon, byte[] boundary, byte[] geometry, byte[] center)
    {
        H3 = h3;
        H3Json = JsonEncodedText.Encode(h3);
        Lat = lat;
        Lon = lon;
        BoundaryJson = boundary;
        GeometryJson = geometry;
        CenterJson = center;
    }

    public string H3 { get; }
    public JsonEncodedText H3Json { get; }
    public double Lat { get; }
    public double Lon { get; }
    /// <summary><c>[[lat, lon], …]</c>, the vertices (the JSON format's <c>boundary</c>).</summary>
    public byte[] BoundaryJson { get; }
    /// <summary>A GeoJSON Polygon: <c>{"type":"Polygon","coordinates":[[[lon, lat], …, first]]}</c>, ring closed.</summary>
    public byte[] GeometryJson { get; }
    /// <summary><c>[lon, lat]</c> (GeoJSON order).</summary>
    public byte[] CenterJson { get; }

    public static CellShape Of(H3Index cell)
    {
        var centre = Halo.H3.H3.CellToLatLng(cell);
        var lat = Math.Round(centre.LatDegrees, 6);
        var lon = Math.Round(centre.LngDegrees, 6);
        Span<LatLng> vertices = stackalloc LatLng[10];
        var n = Halo.H3.H3.CellToBoundary(cell, vertices);
        var ring = new (double Lat, double Lon)[n];
        for (var i = 0; i < n; i++) ring[i] = (Math.Round(vertices[i].LatDegrees, 6), Math.Round(vertices[i].LngDegrees, 6));

        var boundary = Write(w =>
        {
            w.WriteStartArray();
            foreach (var (a, o) in ring) Pair(w, a, o);
            w.WriteEndArray();
        });
        var geometry = Write(w =>
        {
            w.WriteStartObject();
            w.WriteString("type", "Polygon");
            w.WriteStartArray("coordinates");
            w.WriteStartArray();
            foreach (var (a, o) in ring) Pair(w, o, a);
            if (n > 0) Pair(w, ring[0].Lon, ring[0].Lat);
            w.WriteEndArray();
            w.WriteEndArray();
            w.WriteEndObject();
        });
        var center = Write(w => Pair(w, lon, lat));
        return new CellShape(cell.ToString(), lat, lon, boundary, geometry, center);
    }

    private static void Pair(Utf8JsonWriter w, double first, double second)
    {
        w.WriteStartArray();
        w.WriteNumberValue(first);
        w.WriteNumberValue(second);
        w.WriteEndArray();
    }

    private static byte[] Write(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var w = new Utf8JsonWriter(buffer)) write(w);
        return buffer.WrittenSpan.ToArray();
    }
}
