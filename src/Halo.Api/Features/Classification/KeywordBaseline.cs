namespace Halo.Api.Features.Classification;

/// <summary>
/// The comparison point for the model: a hand-written keyword → category table (Swedish word stems plus common
/// English words), matched as substrings of the lower-cased text so compounds hit ("bilinbrott", "knivhot").
/// Each category scores its number of matched keywords; ties and texts with no match fall back to the category
/// prior (frequency in the training window), which is what a careful rule-writer would do. Probabilities are
/// (hits + prior) / (total hits + 1), so the same metrics (top-3, ECE) can be computed.
/// </summary>
public sealed class KeywordBaseline
{
    public static readonly IReadOnlyDictionary<string, string[]> Keywords = new Dictionary<string, string[]>
    {
        ["violence"] = ["misshand", "slag", "sparka", "knuff", "hot ", "hotad", "hotar", "hotat", "mord", "dråp", "dödad", "knivhugg", "huggen", "stucken", "stickskad", "våld", "assault", "beaten", "stabbed", "murder"],
        ["weapons"] = ["skott", "skjut", "skjuten", "vapen", "pistol", "gevär", "explosion", "detonation", "sprängning", "handgranat", "kniv", "bomb", "shooting", "shot", "gun", "knife", "blast"],
        ["robbery"] = ["rån", "rånad", "rånar", "överfall", "robbery", "robbed", "mugged"],
        ["burglary"] = ["inbrott", "inbrotts", "bryter sig in", "bröt sig in", "inbrottslarm", "intrång", "hemfrid", "burglary", "break-in", "broke in"],
        ["theft"] = ["stöld", "stulen", "stulit", "stjäl", "stal ", "snatter", "ficktjuv", "tjuv", "häleri", "theft", "stolen", "shoplift"],
        ["vehicle_crime"] = ["bilstöld", "stulen bil", "stulet fordon", "stulen moped", "motorfordon", "car stolen", "stolen car"],
        ["vandalism"] = ["skadegörelse", "klotter", "sönder", "krossa", "vandal", "graffiti", "sabotage"],
        ["drugs"] = ["narkotika", "knark", "cannabis", "hasch", "kokain", "amfetamin", "droger", "alkohollag", "langning", "drugs"],
        ["fire"] = ["brand", "brinner", "brann", "eld", "rök", "anlagd", "fire", "burning", "smoke"],
        ["traffic"] = ["trafik", "olycka", "kollision", "krock", "bil ", "bilen", "personbil", "lastbil", "rattfyll", "rattonykter", "körde", "kör av", "föraren", "vägen", "väg ", "e4", "e6", "e18", "e20", "viltolycka", "älg", "rådjur", "hastighet", "körkort", "cyklist", "car crash", "accident", "driver"],
        ["disturbance"] = ["bråk", "fylleri", "berusad", "omhänd", "lob", "ordningsstörning", "störning", "ofredande", "förargelse", "slagsmål", "fight", "drunk", "harass"],
        ["sexual_offence"] = ["våldtäkt", "sexuel", "sexualbrott", "blotta", "blottare", "antastad", "tafsa", "sedlighet", "rape", "sexual", "indecent"],
        ["fraud"] = ["bedrägeri", "bedrag", "lurad", "lurat", "bluff", "falsk", "urkund", "kortbedrägeri", "åldring", "fraud", "scam"],
        ["suspicious_activity"] = ["misstänkt", "misstänkta", "suspekt", "farligt föremål", "föremål", "kontroll av", "spaning", "suspicious"],
        ["other"] = ["försvunnen", "saknad", "räddning", "fjäll", "arbetsplats", "arbetsolycka", "djur", "hund", "häst", "avliden", "död ", "anträffad", "sjuk", "drunkn", "missing", "rescue"],
    };

    private readonly string[] _labels;
    private readonly float[] _prior;

    public IReadOnlyList<string> Labels => _labels;

    /// <param name="trainingCategories">The training window's labels, for the prior that breaks ties.</param>
    public KeywordBaseline(IEnumerable<string> trainingCategories)
    {
        var counts = trainingCategories.GroupBy(c => c).ToDictionary(g => g.Key, g => g.Count());
        _labels = Keywords.Keys.Union(counts.Keys).Order(StringComparer.Ordinal).ToArray();
        var total = Math.Max(1, counts.Values.Sum());
        _prior = _labels.Select(l => counts.GetValueOrDefault(l) / (float)total).ToArray();
    }

    public float[] Predict(string text)
    {
        var t = " " + text.ToLowerInvariant() + " ";
        var hits = new float[_labels.Length];
        var total = 0f;
        for (var j = 0; j < _labels.Length; j++)
        {
            if (!Keywords.TryGetValue(_labels[j], out var words)) continue;
            foreach (var w in words)
                if (t.Contains(w, StringComparison.Ordinal)) { hits[j]++; total++; }
        }
        var p = new float[_labels.Length];
        for (var j = 0; j < p.Length; j++) p[j] = (hits[j] + _prior[j]) / (total + 1);
        return p;
    }
}
