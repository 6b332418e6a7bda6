using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Text.RegularExpressions;

namespace Halo.Api.Features.Taxonomy;

/// <summary>One Halo category: the shared vocabulary of police events, imported data, citizen reports and predictions.</summary>
public sealed record HaloCategory(string Code, string NameEn, string NameSv, int DefaultSeverity, string Description);

/// <summary>
/// What a raw source type (e.g. a police <c>type</c> string) means in Halo terms. <paramref name="InferredBy"/> is null
/// when the mapping knows the type, else how the category of a type it has never seen was chosen
/// (<see cref="CategoryInference"/>).
/// </summary>
public sealed record TypeMapping(string Category, int Severity, bool IsIncident, string? InferredBy = null)
{
    public bool IsUnknownType => InferredBy is not null;
}

/// <summary>How the category of a police type that the mapping does not know was chosen (stored on the incident).</summary>
public static class CategoryInference
{
    /// <summary>The name clearly extends or misspells known types of one category ("Misshandel, grov, försök").</summary>
    public const string NameSimilarity = "name_similarity";

    /// <summary>The trained classifier read the event's title and summary.</summary>
    public const string Classifier = "classifier";

    /// <summary>Nothing could tell (no clear name, no classifier yet): <c>other</c>.</summary>
    public const string None = "none";

    public static readonly IReadOnlyList<string> All = [NameSimilarity, Classifier, None];
}

/// <summary>
/// The Halo taxonomy (documented in docs/taxonomy.md). Every police <c>type</c> in the shared data maps here (the test
/// suite fails on any unmapped type); a type the police add later is categorised by name similarity or the classifier
/// and flagged until it is added here.
/// </summary>
public static partial class HaloTaxonomy
{
    public const string Other = "other";

    public static readonly IReadOnlyList<HaloCategory> Categories =
    [
        new("violence", "Violence", "Våld", 3, "Assault, threats, homicide and attempts."),
        new("weapons", "Weapons & shooting", "Vapen & skottlossning", 4, "Shootings, explosions, detonations, weapon and knife offences."),
        new("robbery", "Robbery", "Rån", 4, "Robbery and attempted robbery, hold-up alarms."),
        new("burglary", "Burglary", "Inbrott", 3, "Break-ins, trespass and intrusion."),
        new("theft", "Theft", "Stöld", 2, "Theft, attempted theft, handling stolen goods."),
        new("vehicle_crime", "Vehicle crime", "Fordonsbrott", 2, "Stolen or recovered stolen vehicles."),
        new("vandalism", "Vandalism", "Skadegörelse", 2, "Criminal damage, sabotage."),
        new("drugs", "Drugs & alcohol", "Narkotika & alkohol", 2, "Drug and alcohol-law offences."),
        new("fire", "Fire", "Brand", 3, "Fires and fire alarms."),
        new("traffic", "Traffic", "Trafik", 2, "Traffic accidents, drink-driving, traffic offences and obstructions."),
        new("disturbance", "Disturbance", "Ordningsstörning", 2, "Public drunkenness, fights, harassment, public-order offences."),
        new("sexual_offence", "Sexual offence", "Sexualbrott", 4, "Rape, attempted rape and other sexual offences."),
        new("fraud", "Fraud", "Bedrägeri", 2, "Fraud, forgery, economic crime, crimes targeting the elderly."),
        new("suspicious_activity", "Suspicious activity", "Misstänkt aktivitet", 2, "Suspicious objects, people or vehicles, police checks."),
        new(Other, "Other", "Övrigt", 1, "Accidents, rescues, missing persons and everything else."),
    ];

    public static readonly FrozenDictionary<string, HaloCategory> ByCode =
        Categories.ToFrozenDictionary(c => c.Code, StringComparer.OrdinalIgnoreCase);

    /// <summary>Category pairs that often describe the same event from two viewpoints (clustering gives them 0.8).</summary>
    public static readonly IReadOnlyList<(string A, string B)> RelatedPairs =
    [
        ("violence", "weapons"), ("violence", "robbery"), ("violence", "disturbance"), ("violence", "sexual_offence"),
        ("robbery", "theft"), ("burglary", "theft"), ("theft", "vehicle_crime"), ("theft", "fraud"),
        ("vandalism", "disturbance"), ("vandalism", "fire"), ("drugs", "disturbance"),
        ("suspicious_activity", "burglary"), ("suspicious_activity", "weapons"), ("suspicious_activity", "theft"),
        ("vehicle_crime", "traffic"),
    ];

    private static readonly FrozenSet<string> RelatedSet = RelatedPairs
        .SelectMany(p => new[] { $"{p.A}|{p.B}", $"{p.B}|{p.A}" }).ToFrozenSet();

    public static bool IsKnown(string? code) => code is not null && ByCode.ContainsKey(code);

    public static bool AreRelated(string a, string b) => RelatedSet.Contains($"{a}|{b}");

    // Police type strings, normalised (see Normalize). Severity is the default for that type, not for its category.
    private static readonly FrozenDictionary<string, TypeMapping> PolisenTypes = new Dictionary<string, TypeMapping>
    {
        ["trafikolycka"] = new("traffic", 2, true),
        ["trafikolycka, personskada"] = new("traffic", 3, true),
        ["trafikolycka, vilt"] = new("traffic", 1, true),
        ["trafikolycka, singel"] = new("traffic", 2, true),
        ["trafikolycka, smitning från"] = new("traffic", 2, true),
        ["trafikkontroll"] = new("traffic", 1, true),
        ["rattfylleri"] = new("traffic", 2, true),
        ["trafikbrott"] = new("traffic", 1, true),
        ["olovlig körning"] = new("traffic", 1, true),
        ["trafikhinder"] = new("traffic", 1, true),
        ["brand"] = new("fire", 3, true),
        ["brand automatlarm"] = new("fire", 1, true),
        ["explosion"] = new("weapons", 4, true),
        ["detonation"] = new("weapons", 4, true),
        ["bombhot"] = new("weapons", 3, true),
        ["skottlossning"] = new("weapons", 5, true),
        ["skottlossning, misstänkt"] = new("weapons", 4, true),
        ["vapenlagen"] = new("weapons", 3, true),
        ["knivlagen"] = new("weapons", 2, true),
        ["misshandel"] = new("violence", 3, true),
        ["misshandel, grov"] = new("violence", 4, true),
        ["mord/dråp"] = new("violence", 5, true),
        ["mord/dråp, försök"] = new("violence", 5, true),
        ["våld/hot mot tjänsteman"] = new("violence", 3, true),
        ["olaga hot"] = new("violence", 2, true),
        ["olaga frihetsberövande/människorov"] = new("violence", 4, true),
        ["vållande till kroppsskada"] = new("violence", 2, true),
        ["larm överfall"] = new("robbery", 3, true),
        ["rån"] = new("robbery", 4, true),
        ["rån, försök"] = new("robbery", 3, true),
        ["rån övrigt"] = new("robbery", 4, true),
        ["rån väpnat"] = new("robbery", 5, true),
        ["stöld/inbrott"] = new("burglary", 3, true),
        ["inbrott"] = new("burglary", 3, true),
        ["inbrott, försök"] = new("burglary", 2, true),
        ["larm inbrott"] = new("burglary", 2, true),
        ["hemfridsbrott"] = new("burglary", 2, true),
        ["olaga intrång"] = new("burglary", 2, true),
        ["stöld"] = new("theft", 2, true),
        ["stöld, försök"] = new("theft", 1, true),
        ["häleri"] = new("theft", 1, true),
        ["motorfordon, stöld"] = new("vehicle_crime", 2, true),
        ["motorfordon, anträffat stulet"] = new("vehicle_crime", 1, true),
        ["skadegörelse"] = new("vandalism", 2, true),
        ["sabotage mot blåljusverksamhet"] = new("vandalism", 3, true),
        ["narkotikabrott"] = new("drugs", 2, true),
        ["alkohollagen"] = new("drugs", 1, true),
        ["fylleri/lob"] = new("disturbance", 1, true),
        ["bråk"] = new("disturbance", 2, true),
        ["ordningslagen"] = new("disturbance", 1, true),
        ["ofredande/förargelse"] = new("disturbance", 2, true),
        ["hets mot folkgrupp"] = new("disturbance", 2, true),
        ["våldtäkt"] = new("sexual_offence", 5, true),
        ["våldtäkt, försök"] = new("sexual_offence", 4, true),
        ["sedlighetsbrott"] = new("sexual_offence", 3, true),
        ["bedrägeri"] = new("fraud", 2, true),
        ["ekobrott"] = new("fraud", 2, true),
        ["missbruk av urkund"] = new("fraud", 1, true),
        ["åldringsbrott"] = new("fraud", 2, true),
        ["farligt föremål, misstänkt"] = new("suspicious_activity", 3, true),
        ["kontroll person/fordon"] = new("suspicious_activity", 1, true),
        ["arbetsplatsolycka"] = new(Other, 2, true),
        ["försvunnen person"] = new(Other, 2, true),
        ["fjällräddning"] = new(Other, 2, true),
        ["djur"] = new(Other, 1, true),
        ["anträffad död"] = new(Other, 3, true),
        ["räddningsinsats"] = new(Other, 2, true),
        ["sjukdom/olycksfall"] = new(Other, 2, true),
        ["anträffat gods"] = new(Other, 1, true),
        ["efterlyst person"] = new(Other, 2, true),
        ["skyddslagen"] = new(Other, 2, true),
        ["sjölagen"] = new(Other, 1, true),
        ["luftfartslagen"] = new(Other, 1, true),
        ["utlänningslagen"] = new(Other, 1, true),
        ["miljöbrott"] = new(Other, 1, true),
        ["varningslarm/haveri"] = new(Other, 2, true),
        ["lagen om hundar och katter"] = new(Other, 1, true),
        ["spridning smitta/kemikalier"] = new(Other, 2, true),
        // Police operations and notices are news, not incidents at a place and time.
        ["polisinsats/kommendering"] = new(Other, 1, false),
        ["uppdatering"] = new(Other, 1, false),
        ["övrigt"] = new(Other, 1, false),
    }.ToFrozenDictionary();

    private static readonly ConcurrentDictionary<string, byte> LoggedUnknown = new();

    /// <summary>Trim, collapse inner whitespace and lower-case, so "Misshandel,  grov " matches "misshandel, grov".</summary>
    public static string Normalize(string rawType) =>
        Whitespace().Replace(rawType.Trim(), " ").ToLowerInvariant();

    /// <summary>True when the police type is a known one (summaries included).</summary>
    public static bool IsKnownPolisenType(string rawType)
    {
        var n = Normalize(rawType);
        return PolisenTypes.ContainsKey(n) || IsNonIncidentNotice(n);
    }

    /// <summary>
    /// Maps a police <c>type</c> string. A type the mapping does not know takes the category of known types its name
    /// clearly resembles (<see cref="CategoryInference.NameSimilarity"/>), else <c>other</c> marked
    /// <see cref="CategoryInference.None"/> for the caller to classify from the event's text. Each unknown type is
    /// logged once per process.
    /// </summary>
    public static TypeMapping MapPolisenType(string rawType, ILogger? logger = null)
    {
        var n = Normalize(rawType);
        if (PolisenTypes.TryGetValue(n, out var m)) return m;
        if (IsNonIncidentNotice(n)) return new TypeMapping(Other, 1, false);
        var similar = SimilarPolisenType(n);
        if (LoggedUnknown.TryAdd(n, 0))
        {
            if (similar is { } known)
                logger?.LogWarning("Unknown police type {RawType} given category {Category} by its name (like '{KnownType}')", rawType, PolisenTypes[known].Category, known);
            else
                logger?.LogWarning("Unknown police type {RawType}: no known type is clearly like it; its category comes from the classifier, else 'other'", rawType);
        }
        return similar is { } k
            ? PolisenTypes[k] with { InferredBy = CategoryInference.NameSimilarity }
            : new TypeMapping(Other, ByCode[Other].DefaultSeverity, true, CategoryInference.None);
    }

    // Incident types only: a notice ("övrigt") must not lend its meaning to a new incident type.
    private static readonly (string Type, string[] Words)[] KnownIncidentTypes =
        [.. PolisenTypes.Where(kv => kv.Value.IsIncident).Select(kv => (kv.Key, Words(kv.Key)))];

    /// <summary>
    /// The known type an unknown one is clearly like, or null. Clear means: the unknown name holds every word of the
    /// longest such known types and those all share one category ("stöld ur bil" → "stöld"; "trafikolycka,
    /// personskada, vilt" → traffic), or it is a near spelling of exactly one known type ("rattfyleri").
    /// </summary>
    private static string? SimilarPolisenType(string normalized)
    {
        var words = Words(normalized);
        var contained = KnownIncidentTypes.Where(k => k.Words.All(w => words.Contains(w, StringComparer.Ordinal)))
            .GroupBy(k => k.Words.Sum(w => w.Length)).OrderByDescending(g => g.Key).FirstOrDefault()?.ToList();
        if (contained is { Count: > 0 })
            return contained.Select(k => PolisenTypes[k.Type].Category).Distinct().Count() == 1 ? contained[0].Type : null;
        if (normalized.Length < 6) return null;
        var near = KnownIncidentTypes.Select(k => (k.Type, Distance: EditDistance(normalized, k.Type)))
            .Where(x => x.Distance <= Math.Max(1, normalized.Length / 8)).ToList();
        return near.Count == 1 ? near[0].Type : null;
    }

    private static string[] Words(string normalized) => WordSplit().Split(normalized).Where(w => w.Length > 0).ToArray();

    private static int EditDistance(string a, string b)
    {
        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        var current = new int[b.Length + 1];
        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
                current[j] = Math.Min(Math.Min(current[j - 1], previous[j]) + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            (previous, current) = (current, previous);
        }
        return previous[b.Length];
    }

    // Summaries ("Sammanfattning natt", "Sammanfattning kväll och natt", …) and press/information notices.
    private static bool IsNonIncidentNotice(string normalized) =>
        normalized.StartsWith("sammanfattning", StringComparison.Ordinal)
        || normalized.StartsWith("pressmeddelande", StringComparison.Ordinal)
        || normalized.StartsWith("information", StringComparison.Ordinal)
        || normalized.StartsWith("uppdatering", StringComparison.Ordinal);

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();

    [GeneratedRegex(@"[^\p{L}\p{N}]+")]
    private static partial Regex WordSplit();
}
