using System.Globalization;
using System.Runtime.CompilerServices;
using Sylvan.Data.Csv;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Halo.Api.Features.Ingestion.Polisen;
using Halo.Api.Features.Taxonomy;
using Halo.Api.Infrastructure;

namespace Halo.Api.Features.Ingestion.Csv;

/// <summary>
/// Which columns of an open crime-data CSV hold what. Shared by <c>import csv</c> and the backtest <c>eval</c> command,
/// so both accept the same options (<see cref="CsvColumnOptions"/>).
/// </summary>
public sealed record CsvColumns
{
    public required string TimeColumn { get; init; }
    public required string LatitudeColumn { get; init; }
    public required string LongitudeColumn { get; init; }
    public string? IdColumn { get; init; }
    public string? CategoryColumn { get; init; }

    /// <summary>Raw category value (trimmed, case-insensitive) → Halo category code.</summary>
    public IReadOnlyDictionary<string, string>? CategoryMap { get; init; }

    /// <summary>Halo category for every row whose raw value is not in the map (default <c>other</c>).</summary>
    public string DefaultCategory { get; init; } = HaloTaxonomy.Other;

    /// <summary>.NET format of the time column; without it ISO 8601 and common forms are accepted.</summary>
    public string? TimeFormat { get; init; }

    /// <summary>Zone of times written without an offset (IANA id); UTC by default.</summary>
    public TimeZoneInfo TimeZone { get; init; } = TimeZoneInfo.Utc;

    public char Delimiter { get; init; } = ',';

    /// <summary>
    /// A category map is a JSON object (<c>{"BURGLARY": "burglary"}</c>) or a two-column CSV (<c>raw,category</c>).
    /// Every target must be a Halo category.
    /// </summary>
    public static IReadOnlyDictionary<string, string> LoadCategoryMap(string path)
    {
        if (!File.Exists(path)) throw new CliUsageException($"Category map '{path}' not found.");
        return CheckedMap(ReadMapFile(path), $"Category map '{path}'");
    }

    /// <summary>Inline pairs <c>raw=code,raw=code</c> (a raw value holding a comma or '=' needs a map file).</summary>
    public static IReadOnlyDictionary<string, string> ParseCategoryMap(string pairs)
    {
        var map = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var pair in pairs.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var eq = pair.LastIndexOf('=');
            if (eq <= 0 || eq == pair.Length - 1)
                throw new CliUsageException($"--category-map: '{pair}' is not RAW=CATEGORY (give pairs like aggravated_assault=violence,larceny=theft, or a map file).");
            map[pair[..eq].Trim()] = pair[(eq + 1)..].Trim();
        }
        if (map.Count == 0) throw new CliUsageException("--category-map is empty.");
        return CheckedMap(map, "--category-map");
    }

    private static Dictionary<string, string> ReadMapFile(string path)
    {
        var text = File.ReadAllText(path, Encoding.UTF8).Trim();
        Dictionary<string, string> map;
        try
        {
            map = text.StartsWith('{')
                ? JsonSerializer.Deserialize<Dictionary<string, string>>(text) ?? []
                : CsvIncidentReader.Records(new StringReader(text), ',', hasHeaders: false)
                    .Where(f => f.Length == 2 && !f[0].TrimStart().StartsWith('#') && !(f[0] == "raw" && f[1] == "category"))
                    .GroupBy(f => f[0].Trim(), StringComparer.OrdinalIgnoreCase)
                    .ToDictionary(g => g.Key, g => g.Last()[1].Trim());
        }
        catch (JsonException ex) { throw new CliUsageException($"Category map '{path}' is not valid JSON: {ex.Message}"); }
        return map;
    }

    private static Dictionary<string, string> CheckedMap(Dictionary<string, string> map, string what)
    {
        var bad = map.Values.Where(v => !HaloTaxonomy.IsKnown(v)).Distinct().ToList();
        if (bad.Count > 0)
            throw new CliUsageException($"{what} names unknown categories: {string.Join(", ", bad)} (Halo's: {string.Join(", ", HaloTaxonomy.ByCode.Keys)}).");
        return new Dictionary<string, string>(map.Select(kv => KeyValuePair.Create(kv.Key.Trim(), kv.Value.ToLowerInvariant())), StringComparer.OrdinalIgnoreCase);
    }
}

/// <summary>One CSV row read as an incident record (no database involved), or why it was rejected.</summary>
public sealed record CsvIncidentRecord(
    long LineNumber, string? ExternalId, DateTime OccurredAt, double Latitude, double Longitude,
    string? RawCategory, string Category, string RawJson, string? RejectReason)
{
    public bool IsValid => RejectReason is null;
}

/// <summary>
/// Reads an open crime-data CSV (gzipped or not) into <see cref="CsvIncidentRecord"/>s with Sylvan.Data.Csv (RFC 4180:
/// quoted fields may hold delimiters, doubled quotes and line breaks). Bad rows are rejected one by one.
/// </summary>
public static class CsvIncidentReader
{
    private static readonly string[] FallbackFormats =
        ["yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK", "yyyy-MM-dd HH:mm:ss.FFFFFFFK", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF", "yyyy-MM-dd HH:mm:ss.FFFFFFF",
         "yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd HH:mm", "yyyy-MM-dd", "yyyy/MM/dd HH:mm:ss", "yyyy/MM/dd", "MM/dd/yyyy hh:mm:ss tt", "MM/dd/yyyy HH:mm:ss", "MM/dd/yyyy"];

    /// <summary>A record (its quotes included) may be this long; a longer one stops the read as malformed.</summary>
    private const int MaxRecordLength = 1 << 21;

    private static CsvDataReaderOptions Options(char delimiter, bool hasHeaders) => new()
    {
        Delimiter = delimiter,
        HasHeaders = hasHeaders,
        // No comment lines in open data: a first field may start with '#'.
        Comment = '\0',
        MaxBufferSize = MaxRecordLength,
    };

    public static async IAsyncEnumerable<CsvIncidentRecord> ReadAsync(Stream stream, CsvColumns columns,
        [EnumeratorCancellation] CancellationToken ct = default)
    {
        await using var input = await IncidentFiles.OpenMaybeGzipAsync(stream, ct);
        using var text = new StreamReader(input, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        await using var csv = await Open(text, columns.Delimiter, ct);
        if (csv.FieldCount == 0 || (csv.FieldCount == 1 && csv.GetName(0).Length == 0)) throw new InvalidDataException("The CSV file is empty.");
        var header = Enumerable.Range(0, csv.FieldCount).Select(csv.GetName).ToArray();
        var index = header.Select((h, i) => (h: h.Trim(), i)).GroupBy(x => x.h, StringComparer.OrdinalIgnoreCase)
            .ToDictionary(g => g.Key, g => g.First().i, StringComparer.OrdinalIgnoreCase);
        int Column(string? name, string option) => name is null ? -1
            : index.TryGetValue(name, out var i) ? i
            : throw new CliUsageException($"{option} '{name}' is not a column (columns: {string.Join(", ", header)}).");
        var time = Column(columns.TimeColumn, "--time-col");
        var lat = Column(columns.LatitudeColumn, "--lat-col");
        var lon = Column(columns.LongitudeColumn, "--lon-col");
        var id = Column(columns.IdColumn, "--id-col");
        var cat = Column(columns.CategoryColumn, "--category-col");

        // Line numbers for messages: the header is line 1, and a record spans one line more per line break in its fields.
        long nextLine = 2;
        while (await NextAsync(csv, ct))
        {
            var row = Fields(csv);
            var line = nextLine;
            foreach (var f in row) nextLine += f.AsSpan().Count('\n');
            nextLine++;
            if (row.Length == 1 && row[0].Length == 0) continue; // blank line
            yield return ReadRow(row, header, line, columns, time, lat, lon, id, cat);
        }
    }

    /// <summary>The records of a small CSV text (a category map file), each as its fields.</summary>
    internal static IEnumerable<string[]> Records(TextReader text, char delimiter, bool hasHeaders)
    {
        using var csv = CsvDataReader.Create(text, Options(delimiter, hasHeaders));
        while (csv.Read()) yield return Fields(csv);
    }

    private static async Task<CsvDataReader> Open(TextReader text, char delimiter, CancellationToken ct)
    {
        try { return await CsvDataReader.CreateAsync(text, Options(delimiter, hasHeaders: true), ct); }
        catch (CsvMissingHeadersException ex) { throw new InvalidDataException("The CSV file is empty.", ex); }
        catch (Exception ex) when (ex is CsvFormatException or CsvRecordTooLargeException)
        {
            throw new InvalidDataException($"The CSV header is malformed: {ex.Message}", ex);
        }
    }

    private static async Task<bool> NextAsync(CsvDataReader csv, CancellationToken ct)
    {
        try { return await csv.ReadAsync(ct); }
        catch (Exception ex) when (ex is CsvFormatException or CsvRecordTooLargeException)
        {
            throw new InvalidDataException($"Malformed CSV after row {csv.RowNumber}: {ex.Message}", ex);
        }
    }

    private static string[] Fields(CsvDataReader csv)
    {
        var fields = new string[csv.RowFieldCount];
        for (var i = 0; i < fields.Length; i++) fields[i] = csv.GetString(i);
        return fields;
    }

    private static CsvIncidentRecord ReadRow(string[] row, string[] header, long line, CsvColumns columns,
        int time, int lat, int lon, int id, int cat)
    {
        var raw = RowJson(header, row);
        string? externalId = null;
        CsvIncidentRecord Reject(string reason) => new(line, externalId, default, 0, 0, null, HaloTaxonomy.Other, raw, reason);

        if (row.Length != header.Length) return Reject($"has {row.Length} fields, header has {header.Length}");
        externalId = id >= 0 ? row[id].Trim() : RowHash(row);
        if (externalId.Length is 0 or > 128) return Reject("missing or oversized id");
        if (!TryParseTime(row[time], columns, out var occurred)) return Reject($"unreadable time '{Clip(row[time])}'");
        if (!TryParseCoordinate(row[lat], 90, out var la) || !TryParseCoordinate(row[lon], 180, out var lo))
            return Reject($"unreadable position '{Clip(row[lat])}', '{Clip(row[lon])}'");
        if (la == 0 && lo == 0) return Reject("position 0,0 (a missing position in most open data)");
        var rawCategory = cat >= 0 ? row[cat].Trim() : null;
        var category = rawCategory is not null && columns.CategoryMap is not null && columns.CategoryMap.TryGetValue(rawCategory, out var mapped)
            ? mapped : columns.DefaultCategory;
        return new CsvIncidentRecord(line, externalId, occurred, la, lo, rawCategory, category, raw, null);
    }

    public static bool TryParseTime(string value, CsvColumns columns, out DateTime utc)
    {
        utc = default;
        value = value.Trim();
        var ok = columns.TimeFormat is { } f
            ? DateTime.TryParseExact(value, f, CultureInfo.InvariantCulture, DateTimeStyles.AllowWhiteSpaces | DateTimeStyles.AdjustToUniversal, out var dt)
            : DateTime.TryParseExact(value, FallbackFormats, CultureInfo.InvariantCulture, DateTimeStyles.AllowWhiteSpaces | DateTimeStyles.AdjustToUniversal, out dt);
        if (!ok) return false;
        utc = dt.Kind switch
        {
            DateTimeKind.Utc => dt,
            DateTimeKind.Local => dt.ToUniversalTime(), // had an offset: the parser converted it to local time
            _ => columns.TimeZone.IsInvalidTime(dt) ? TimeZoneInfo.ConvertTimeToUtc(dt.AddHours(1), columns.TimeZone)
                : TimeZoneInfo.ConvertTimeToUtc(dt, columns.TimeZone),
        };
        return utc.Year is >= 1900 and <= 2200;
    }

    private static bool TryParseCoordinate(string s, double limit, out double v) =>
        double.TryParse(s.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out v) && double.IsFinite(v) && Math.Abs(v) <= limit;

    /// <summary>A stable id for rows without one: the first 16 bytes of SHA-256 over the row's fields.</summary>
    public static string RowHash(IEnumerable<string> fields) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\u001f', fields))).AsSpan(0, 16));

    private static string RowJson(string[] header, string[] row)
    {
        var o = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < Math.Min(header.Length, row.Length); i++) o[header[i]] = Clip(row[i], 2000);
        return JsonSerializer.Serialize(o);
    }

    private static string Clip(string s, int max = 60) => s.Length <= max ? s : s[..max];
}
