using System.CommandLine;
using System.Globalization;
using Halo.Api.Features.Taxonomy;
using Halo.Api.Infrastructure;

namespace Halo.Api.Features.Ingestion.Csv;

/// <summary>The CSV column, category and filter options shared by <c>import csv</c> and <c>eval csv</c>.</summary>
public sealed class CsvColumnOptions
{
    private readonly Option<string> _time = new("--time-col") { Description = "Column of the time the incident occurred", Required = true, HelpName = "COLUMN" };
    private readonly Option<string> _lat = new("--lat-col") { Description = "Column of the latitude (WGS 84)", Required = true, HelpName = "COLUMN" };
    private readonly Option<string> _lon = new("--lon-col") { Description = "Column of the longitude (WGS 84)", Required = true, HelpName = "COLUMN" };
    private readonly Option<string> _id = new("--id-col") { Description = "Column of a stable id (default: a hash of the row)", HelpName = "COLUMN" };
    private readonly Option<string> _categoryCol = new("--category-col") { Description = "Column of the data set's own category (its raw value)", HelpName = "COLUMN" };
    private readonly Option<string> _map = new("--category-map")
    {
        Description = "Raw value → Halo category: inline pairs (aggravated_assault=violence,larceny=theft) or a file (JSON object or raw,category CSV)",
        HelpName = "PAIRS|FILE",
    };
    private readonly Option<string> _default = new("--default-category")
    {
        Description = "Halo category of rows whose raw value is not mapped (default other)", HelpName = "CODE", DefaultValueFactory = _ => HaloTaxonomy.Other,
    };
    private readonly Option<string[]> _category = Cli.ListOption("--category",
        "Keep only rows of these categories: a Halo category (after --category-map / --default-category) or the data set's own --category-col value (ignoring case)",
        "VALUE[,VALUE…]");
    private readonly Option<string[]> _raw = Cli.ListOption("--raw-category", "Keep only rows whose --category-col value is one of these (ignoring case)", "VALUE[,VALUE…]");
    private readonly Option<string> _timeFormat = new("--time-format") { Description = ".NET format of the time column (default: ISO 8601 and common forms)", HelpName = "FORMAT" };
    private readonly Option<string> _zone = new("--time-zone") { Description = "Zone of times written without an offset (IANA id, default UTC)", HelpName = "IANA" };
    private readonly Option<string> _delimiter = new("--delimiter") { Description = "Field delimiter: one character, or tab", DefaultValueFactory = _ => "," };

    public CsvColumnOptions()
    {
        _default.Validators.Add(r =>
        {
            var v = r.GetValueOrDefault<string>();
            if (!HaloTaxonomy.IsKnown(v)) r.AddError($"--default-category '{v}' is not a Halo category ({Codes}).");
        });
        _delimiter.Validators.Add(r =>
        {
            if (Delimiter(r.GetValueOrDefault<string>()) is null) r.AddError("--delimiter must be one character (or tab).");
        });
        _zone.Validators.Add(r =>
        {
            var v = r.GetValueOrDefault<string>();
            if (v is not null && !TimeZoneInfo.TryFindSystemTimeZoneById(v, out _)) r.AddError($"--time-zone '{v}' is not a known time zone.");
        });
    }

    private static string Codes => string.Join(", ", HaloTaxonomy.ByCode.Keys);

    public void AddTo(Command command)
    {
        foreach (var o in new Option[] { _time, _lat, _lon, _id, _categoryCol, _map, _default, _category, _raw, _timeFormat, _zone, _delimiter })
            command.Options.Add(o);
        command.Validators.Add(r =>
        {
            if (r.GetValue(_raw) is { Length: > 0 } && r.GetValue(_categoryCol) is null) r.AddError("--raw-category needs --category-col.");
            // Without a category column every row's category is a Halo one, so a value that is not Halo's can match nothing.
            if (r.GetValue(_categoryCol) is null && r.GetValue(_category)?.Where(v => !HaloTaxonomy.IsKnown(v)).ToList() is { Count: > 0 } unknown)
                r.AddError($"--category {string.Join(", ", unknown)}: not a Halo category ({Codes}); to keep rows by the data set's own category, name its column (--category-col).");
            if (r.GetValue(_map) is not null && r.GetValue(_categoryCol) is null) r.AddError("--category-map needs --category-col.");
        });
    }

    /// <summary>The columns; a map file is read relative to the command's directory. Throws <see cref="CliUsageException"/>.</summary>
    public CsvColumns Columns(ParseResult p, CliContext cli)
    {
        var map = p.GetValue(_map) is { } m
            ? File.Exists(cli.FullPath(m)) ? CsvColumns.LoadCategoryMap(cli.FullPath(m))
            : m.Contains('=', StringComparison.Ordinal) ? CsvColumns.ParseCategoryMap(m)
            : throw new CliUsageException($"--category-map '{m}': no such file, and not RAW=CATEGORY pairs.")
            : null;
        return new CsvColumns
        {
            TimeColumn = p.GetRequiredValue(_time),
            LatitudeColumn = p.GetRequiredValue(_lat),
            LongitudeColumn = p.GetRequiredValue(_lon),
            IdColumn = p.GetValue(_id),
            CategoryColumn = p.GetValue(_categoryCol),
            CategoryMap = map,
            DefaultCategory = p.GetRequiredValue(_default).ToLowerInvariant(),
            TimeFormat = p.GetValue(_timeFormat),
            TimeZone = p.GetValue(_zone) is { } tz ? TimeZoneInfo.FindSystemTimeZoneById(tz) : TimeZoneInfo.Utc,
            Delimiter = Delimiter(p.GetValue(_delimiter)) ?? ',',
        };
    }

    public CsvCategoryFilter Filter(ParseResult p, CsvColumns columns) =>
        new(columns, p.GetValue(_category) is { Length: > 0 } c ? c : null, p.GetValue(_raw) is { Length: > 0 } r ? r : null);

    private static char? Delimiter(string? s) => s switch
    {
        "\\t" or "tab" => '\t',
        { Length: 1 } => s[0],
        _ => null,
    };
}

/// <summary>
/// Keeps the rows the <c>--category</c> / <c>--raw-category</c> filters ask for, and counts what it saw, so a filter
/// value that matched nothing is an error naming the values the file does have (never a silent "kept everything" or
/// "kept nothing"). A <c>--category</c> value matches a row's Halo category or its raw value, so a data set's own
/// words can be filtered on without a map. Rejected rows pass through, to be counted as rejected.
/// </summary>
public sealed class CsvCategoryFilter(CsvColumns columns, IReadOnlyList<string>? categories, IReadOnlyList<string>? rawCategories)
{
    private const int ValuesShown = 20;
    private readonly HashSet<string>? _categories = categories is null ? null : new(categories, StringComparer.OrdinalIgnoreCase);
    private readonly HashSet<string>? _raw = rawCategories is null ? null : new(rawCategories, StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, int> _seenCategories = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, int> _seenRaw = new(StringComparer.OrdinalIgnoreCase);

    public bool IsActive => _categories is not null || _raw is not null;
    public int Kept { get; private set; }
    public int Dropped { get; private set; }

    public bool Keep(CsvIncidentRecord r)
    {
        if (!r.IsValid) return true;
        _seenCategories[r.Category] = _seenCategories.GetValueOrDefault(r.Category) + 1;
        if (r.RawCategory is { } raw) _seenRaw[raw] = _seenRaw.GetValueOrDefault(raw) + 1;
        var keep = (_categories is null || _categories.Contains(r.Category) || (r.RawCategory is { } c && _categories.Contains(c)))
            && (_raw is null || (r.RawCategory is { } v && _raw.Contains(v)));
        if (keep) Kept++; else Dropped++;
        return keep;
    }

    /// <summary>Throws <see cref="CliUsageException"/> when a filter value matched no row.</summary>
    public void EnsureEveryValueMatched()
    {
        var problems = new List<string>();
        if (_raw?.Where(v => !_seenRaw.ContainsKey(v)).ToList() is { Count: > 0 } missingRaw)
            problems.Add($"--raw-category {string.Join(", ", missingRaw)} matched no row. Values of column '{columns.CategoryColumn}': {Shown(_seenRaw)}.");
        if (_categories?.Where(c => !_seenCategories.ContainsKey(c) && !_seenRaw.ContainsKey(c)).ToList() is { Count: > 0 } missingCategories)
        {
            var hint = columns.CategoryColumn is null
                ? "Give the data set's category column (--category-col) and map its values (--category-map RAW=CODE,…)."
                : $"Values of column '{columns.CategoryColumn}': {Shown(_seenRaw)}. Filter on one of them (--category VALUE) or map them (--category-map {Example(missingCategories)}).";
            problems.Add($"--category {string.Join(", ", missingCategories)} matched no row: the rows' Halo categories are {Shown(_seenCategories)}. {hint}");
        }
        if (problems.Count > 0) throw new CliUsageException(string.Join("\n", problems));
    }

    private static string Shown(Dictionary<string, int> seen)
    {
        if (seen.Count == 0) return "none (no readable row)";
        var top = seen.OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal).Take(ValuesShown)
            .Select(kv => string.Create(CultureInfo.InvariantCulture, $"{kv.Key} ({kv.Value:N0})"));
        return string.Join(", ", top) + (seen.Count > ValuesShown ? $", … ({seen.Count - ValuesShown} more)" : "");
    }

    private string Example(List<string> missing)
    {
        var code = missing.FirstOrDefault(HaloTaxonomy.IsKnown)?.ToLowerInvariant() ?? "CODE";
        return string.Join(",", _seenRaw.OrderByDescending(kv => kv.Value).Take(2).Select(kv => $"{kv.Key}={code}"));
    }
}
