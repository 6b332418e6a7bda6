using System.Globalization;

namespace Halo.App.Services;

/// <summary>The UI's words in Swedish and English. Swedish is the default; English when the browser prefers it.</summary>
public sealed partial class Strings
{
    public static readonly IReadOnlyList<string> Languages = ["sv", "en"];

    private static readonly Dictionary<string, (string Sv, string En)> Table = new()
    {
        ["app.title"] = ("Halo", "Halo"),
        ["tab.map"] = ("Karta", "Map"),
        ["tab.report"] = ("Rapportera", "Report"),
        ["tab.profile"] = ("Profil", "Profile"),
        ["tab.feed"] = ("Nära mig", "Near me"),
        ["feed.title"] = ("Händelser nära mig", "Incidents near me"),
        ["feed.mine"] = ("Använd min position", "Use my position"),
        ["feed.place"] = ("eller välj en ort", "or choose a town"),
        ["feed.you"] = ("dig", "you"),
        ["feed.nowhere"] = ("Använd din position eller välj en ort för att se händelser i närheten.", "Use your position or choose a town to see incidents nearby."),
        ["feed.around"] = ("Senaste händelserna inom {1} km från {0}, nyaste först.", "Latest incidents within {1} km of {0}, newest first."),
        ["feed.loading"] = ("Hämtar händelser…", "Loading incidents…"),
        ["feed.none"] = ("Inga händelser inom {0} km de senaste {1} dagarna.", "No incidents within {0} km in the last {1} days."),
        ["feed.verified"] = ("Bekräftad", "Verified"),
        ["feed.unverified"] = ("Ej bekräftad", "Unverified"),
        ["feed.ago.now"] = ("nyss", "just now"),
        ["feed.ago.minutes"] = ("för {0} min sedan", "{0} min ago"),
        ["feed.ago.hours"] = ("för {0} h sedan", "{0} h ago"),
        ["feed.ago.days"] = ("för {0} d sedan", "{0} d ago"),
        ["nav.label"] = ("Huvudmeny", "Main navigation"),
        ["update.available"] = ("En ny version av Halo finns.", "A new version of Halo is available."),
        ["update.apply"] = ("Uppdatera", "Update"),
        ["map.label"] = ("Karta över händelser och risk", "Map of incidents and risk"),
        ["map.unavailable"] = ("Kartan kan inte visas i den här webbläsaren (WebGL saknas eller kartan kunde inte laddas). Rapportera och Profil fungerar ändå.", "The map cannot be shown in this browser (no WebGL, or the map did not load). Report and Profile still work."),
        ["map.offline"] = ("Kartbilder kunde inte laddas – visar kommun- och länsgränser.", "Map tiles could not be loaded – showing municipality and county outlines."),
        ["map.centre"] = ("Centrera på mig", "Centre on me"),
        ["map.locating"] = ("Söker position…", "Finding your position…"),
        ["map.geo.denied"] = ("Halo fick inte använda din position. Tillåt platsåtkomst i webbläsarens inställningar för att centrera kartan.", "Halo was not allowed to use your location. Allow location access in your browser settings to centre the map."),
        ["map.geo.unavailable"] = ("Din position kunde inte bestämmas just nu.", "Your position could not be determined right now."),
        ["map.geo.unsupported"] = ("Den här webbläsaren kan inte ange position.", "This browser cannot provide a location."),
        ["layers.title"] = ("Lager", "Layers"),
        ["layers.predictions"] = ("AI-riskprognos", "AI risk forecast"),
        ["layers.incidents"] = ("Händelser", "Incidents"),
        ["slider.label"] = ("Prognostimme", "Forecast hour"),
        ["slider.now"] = ("Nu", "Now"),
        ["legend.title"] = ("Risk för händelser", "Risk of incidents"),
        ["legend.computed"] = ("Prognos beräknad {0}", "Forecast computed {0}"),
        ["forecast.show"] = ("Visa prognos", "Show forecast"),
        ["forecast.hide"] = ("Dölj prognos", "Hide forecast"),
        ["note.dismiss"] = ("Stäng meddelandet", "Dismiss this message"),
        ["legend.unavailable"] = ("Riskprognosen är inte tillgänglig just nu.", "The risk forecast is not available right now."),
        ["legend.hex"] = ("Sexhörning: händelser med känd plats", "Hexagon: events with a known place"),
        ["legend.area"] = ("Område: händelser där bara kommunen eller länet är känt", "Area: events where only the municipality or county is known"),
        ["legend.about"] = ("Om prognosen", "About this forecast"),
        // The forecast's report card (figures from the model registry via /api/v1/predictions/report-card).
        ["card.title"] = ("Om prognosen", "About this forecast"),
        ["card.close"] = ("Stäng", "Close"),
        ["card.loading"] = ("Hämtar prognosens resultat…", "Loading the forecast's results…"),
        ["card.none"] = ("Ingen prognosmodell är tränad ännu. Den första tränas när det finns händelser att lära av.", "No forecast model has been trained yet. The first is trained once there are events to learn from."),
        ["card.error"] = ("Prognosens resultat kunde inte hämtas just nu.", "The forecast's results could not be loaded right now."),
        ["card.model"] = ("Kartan visar prognosen från {0}, tränad {1} på händelser från {2} till {3}.", "The map shows the forecast of {0}, trained {1} on events from {2} to {3}."),
        ["card.test"] = ("Den prövades på {0} händelser under de sista {1} dagarna av den tiden ({2}–{3}), varje provperiod med en version som bara hade sett händelserna före den.", "It was tried on {0} events in the last {1} days of that time ({2}–{3}), each trial period by a copy that had seen only the events before it."),
        ["card.hit"] = ("De 5 % av ytan som prognosen pekade ut som mest utsatta fick {0} av händelserna: {1} gånger fler än om de hade varit jämnt spridda.", "The 5 % of the area the forecast marked riskiest got {0} of the events: {1} times as many as if they had been spread evenly."),
        ["card.naive"] = ("Den bästa enkla prognosen, {0}, fick {1} ({2} gånger).", "The best simple forecast, {0}, got {1} ({2} times)."),
        ["card.naive_other"] = ("Den bästa andra enkla prognosen, {0}, fick {1} ({2} gånger).", "The best other simple forecast, {0}, got {1} ({2} times)."),
        ["card.naive_served"] = ("En enkel prognos används eftersom ingen inlärd modell slog den i provet.", "A simple forecast is served because no learned model beat it in the trial."),
        ["card.chart"] = ("Andel av händelserna i de mest utsatta 5 %, per provperiod", "Share of the events in the riskiest 5 %, per trial period"),
        ["card.served"] = ("Den här prognosen", "This forecast"),
        ["card.simple"] = ("Bästa enkla prognos", "Best simple forecast"),
        ["card.window"] = ("från {0}, {1} händelser", "from {0}, {1} events"),
        ["model.trailing_count"] = ("antalet händelser de senaste {0} dagarna", "the count of events over the last {0} days"),
        ["model.trailing_count_all"] = ("antalet händelser i hela historiken", "the count of events over all history"),
        ["model.kde"] = ("en utjämnad karta över tidigare händelser", "a smoothed map of past events"),
        ["model.hour_of_week_x_kde"] = ("en utjämnad karta över tidigare händelser per veckotimme", "a smoothed map of past events by hour of the week"),
        ["model.fasttree_tweedie"] = ("en inlärd modell (beslutsträd)", "a learned model (decision trees)"),
        ["model.hawkes_etas"] = ("en självexciterande punktprocess (Hawkes/ETAS)", "a self-exciting point process (Hawkes/ETAS)"),
        ["risk.critical"] = ("Kritisk", "Critical"),
        ["risk.high"] = ("Hög", "High"),
        ["risk.medium"] = ("Medel", "Medium"),
        ["risk.low"] = ("Låg", "Low"),
        ["popup.risk"] = ("Risk", "Risk"),
        ["popup.expected"] = ("Förväntat antal händelser", "Expected incidents"),
        ["popup.factors"] = ("Varför", "Why"),
        ["popup.source"] = ("Källa", "Source"),
        ["popup.area"] = ("Område", "Area"),
        ["popup.area_forecast"] = ("Prognosen bygger på händelser där bara {areakind} är känd, så den visas över hela {area}.", "This forecast comes from events where only {areakind} is known, so it is drawn over the whole of {area}."),
        ["popup.expected_per_cell"] = ("Förväntat antal händelser per sexhörning", "Expected incidents per hexagon"),
        // Risk factors, from the API's structured factor_details ({placeholders} filled in by the map).
        ["factor.recent_nearby"] = ("{count} {events} inom ~{radius} m de senaste 48 timmarna", "{count} {events} within ~{radius} m in the last 48 h"),
        ["factor.year_nearby"] = ("{count} {events} i rutan och dess grannar de senaste 365 dagarna", "{count} {events} in this cell and its neighbours in the past 365 days"),
        ["factor.rising"] = ("Ökande: de senaste 30 dagarna i närheten är {ratio}× årsgenomsnittet", "Rising: the last 30 days nearby are {ratio}× the yearly average"),
        ["factor.last_nearby"] = ("Senaste händelsen i närheten för {days} dagar sedan", "Last event nearby {days} days ago"),
        ["factor.area_events"] = ("{count} {events} från polisen i {area} de senaste 30 dagarna (bara {areakind} är känd, så de sprids ut över den)",
            "{count} police {events} in {area} in the last 30 days (their position is known only to {areakind}, so they are spread over it)"),
        ["factor.hour_of_week"] = ("{day} {from}–{to} är {ratio}× veckans genomsnitt", "{day} {from}–{to} are {ratio}× the weekly average"),
        ["factor.background"] = ("Inga händelser i närheten det senaste året: prognosen är bakgrundsnivån", "No events nearby in the past year: the forecast is the background rate"),
        ["factor.event"] = ("händelse", "event"),
        ["factor.events"] = ("händelser", "events"),
        ["factor.municipality"] = ("kommunen", "the municipality"),
        ["factor.county"] = ("länet", "the county"),
        ["factor.days_suffix"] = ("ar", "s"),
        ["popup.verified"] = ("Bekräftad", "Verified"),
        ["period.none"] = ("Inga händelser här de senaste {0} dagarna.", "No incidents here in the last {0} days."),
        ["period.offer"] = ("Visa senaste perioden med händelser: {0}", "Show the latest period with incidents: {0}"),
        ["period.never"] = ("Inga händelser finns registrerade här.", "No incidents are recorded here."),
        ["period.showing"] = ("Visar händelser {0}.", "Showing incidents {0}."),
        ["period.recent"] = ("Visa senaste {0} dagarna", "Show the last {0} days"),
        ["incidents.error"] = ("Händelser kunde inte hämtas.", "Incidents could not be loaded."),
        ["outbox.offline"] = ("Offline • {0} i kö", "Offline • {0} queued"),
        ["outbox.sending"] = ("Skickar • {0} i kö", "Sending • {0} queued"),
        ["outbox.failed"] = ("{0} avvisad", "{0} refused"),
        ["outbox.title"] = ("Rapporter i kö", "Queued reports"),
        ["outbox.none"] = ("Inga rapporter väntar.", "No reports are waiting."),
        ["outbox.queued"] = ("Väntar på att skickas", "Waiting to be sent"),
        ["outbox.retry"] = ("Nytt försök {0}", "Next attempt {0}"),
        ["outbox.refused"] = ("Avvisad av servern: {0}", "Refused by the server: {0}"),
        ["outbox.edit"] = ("Ändra", "Edit"),
        ["outbox.save"] = ("Spara", "Save"),
        ["outbox.cancel"] = ("Avbryt", "Cancel"),
        ["outbox.delete"] = ("Ta bort", "Delete"),
        ["outbox.photo"] = ("med foto", "with photo"),
        ["report.queued"] = ("Rapporten är sparad på enheten och skickas när du är online igen.", "The report is saved on this device and will be sent when you are online again."),
        ["report.queued.retry"] = ("Servern kunde inte ta emot rapporten just nu; den skickas automatiskt igen.", "The server could not take the report right now; it will be sent again automatically."),
        ["report.title"] = ("Rapportera en händelse", "Report an incident"),
        ["report.description"] = ("Vad hände?", "What happened?"),
        ["report.description.hint"] = ("Beskriv kort vad du såg, på svenska eller engelska.", "Briefly describe what you saw, in Swedish or English."),
        ["report.category"] = ("Kategori", "Category"),
        ["report.suggested"] = ("AI-förslag – bekräfta eller välj en annan", "AI suggestions – confirm or choose another"),
        ["report.classifying"] = ("Analyserar…", "Analysing…"),
        ["report.classifier.unavailable"] = ("AI-förslag är inte tillgängliga just nu; välj kategori själv.", "AI suggestions are not available right now; choose the category yourself."),
        ["report.other.category"] = ("Annan kategori", "Other category"),
        ["report.choose"] = ("Välj…", "Choose…"),
        ["report.confidence"] = ("säkerhet", "confidence"),
        ["report.location"] = ("Plats", "Location"),
        ["report.location.use"] = ("Använd min position", "Use my position"),
        ["report.location.accuracy"] = ("Noggrannhet ±{0} m", "Accuracy ±{0} m"),
        ["report.location.drag"] = ("Dra nålen för att justera platsen.", "Drag the pin to adjust the location."),
        ["report.location.none"] = ("Ingen plats vald än. Använd din position eller klicka på kartan.", "No location yet. Use your position or click the map."),
        ["report.time"] = ("När hände det?", "When did it happen?"),
        ["report.time.day"] = ("Dag", "Day"),
        ["report.time.hour"] = ("Timme", "Hour"),
        ["report.time.minute"] = ("Minut", "Minute"),
        ["report.time.today"] = ("I dag", "Today"),
        ["report.time.yesterday"] = ("I går", "Yesterday"),
        ["report.severity"] = ("Allvarlighetsgrad", "Severity"),
        ["report.severity.hint"] = ("Valfritt: hur allvarligt var det?", "Optional: how serious was it?"),
        ["report.severity.none"] = ("Vet inte / anger inte", "Don't know / not stated"),
        ["report.severity.1"] = ("1 – Lindrig", "1 – Minor"),
        ["report.severity.2"] = ("2 – Måttlig", "2 – Moderate"),
        ["report.severity.3"] = ("3 – Allvarlig", "3 – Serious"),
        ["report.severity.4"] = ("4 – Mycket allvarlig", "4 – Very serious"),
        ["report.severity.5"] = ("5 – Akut fara för liv", "5 – Acute danger to life"),
        ["report.photo"] = ("Foto (valfritt)", "Photo (optional)"),
        ["report.photo.choose"] = ("Välj eller ta ett foto", "Choose or take a photo"),
        ["report.photo.none"] = ("Inget foto valt.", "No photo chosen."),
        ["report.photo.remove"] = ("Ta bort fotot", "Remove the photo"),
        ["report.submit"] = ("Skicka rapport", "Submit report"),
        ["report.submitting"] = ("Skickar…", "Submitting…"),
        ["report.retry"] = ("Försök igen", "Try again"),
        ["report.new"] = ("Ny rapport", "New report"),
        ["report.outcome.new"] = ("Tack! Din rapport skapade en ny händelse.", "Thank you! Your report started a new incident."),
        ["report.outcome.joined"] = ("Tack! Din rapport lades till en befintlig händelse.", "Thank you! Your report joined an existing incident."),
        ["report.outcome.reporters"] = ("Rapportörer", "Reporters"),
        ["report.outcome.reports"] = ("Rapporter", "Reports"),
        ["report.outcome.verification"] = ("Verifiering", "Verification"),
        ["report.outcome.official"] = ("Matchar en polishändelse", "Matches a police event"),
        ["report.error.validation"] = ("Kontrollera fälten markerade nedan.", "Please check the fields marked below."),
        ["report.error.ratelimit"] = ("För många rapporter på kort tid. Vänta {0} s och försök igen.", "Too many reports in a short time. Wait {0} s and try again."),
        ["report.error.duplicate"] = ("Du har redan rapporterat den här händelsen.", "You have already reported this incident."),
        ["report.error.network"] = ("Ingen kontakt med servern. Din rapport är kvar – försök igen.", "No contact with the server. Your report is kept – try again."),
        ["report.error.server"] = ("Servern kunde inte ta emot rapporten ({0}).", "The server could not accept the report ({0})."),
        ["report.error.photo"] = ("Fotot eller bevisklippet kunde inte laddas upp: {0}", "The photo or the evidence clip could not be uploaded: {0}"),
        ["evidence.title"] = ("Bevis med sensorer (valfritt)", "Evidence with sensors (optional)"),
        ["evidence.what"] = ("Spela in bevis tar upp {0}–{1} sekunder video och ljud med kameran och mikrofonen, mäter skakningar med rörelsesensorn och följer din position under tiden. Inget spelas in förrän du trycker på knappen. Klippet skickas med rapporten; rörelse, ljudnivå och position skickas bara som en sammanfattning.",
            "Record evidence captures {0}–{1} seconds of video and sound with the camera and microphone, measures shaking with the motion sensor and follows your position meanwhile. Nothing is recorded until you tap the button. The clip is sent with the report; motion, sound level and position are sent only as a summary."),
        ["evidence.record"] = ("Spela in bevis", "Record evidence"),
        ["evidence.starting"] = ("Startar kamera och mikrofon…", "Starting camera and microphone…"),
        ["evidence.recording"] = ("Spelar in video, ljud, rörelse och position: {0} av {1} s", "Recording video, sound, motion and position: {0} of {1} s"),
        ["evidence.stop"] = ("Stoppa inspelningen", "Stop recording"),
        ["evidence.stop.early"] = ("Avbryt (kortare än {0} s sparas inte)", "Cancel (under {0} s is not kept)"),
        ["evidence.tooshort"] = ("Inspelningen stoppades före {0} s och sparades inte.", "The recording was stopped before {0} s and was not kept."),
        ["evidence.done"] = ("Bevis inspelat – skickas med rapporten.", "Evidence recorded – it is sent with the report."),
        ["evidence.duration"] = ("Längd", "Length"),
        ["evidence.clip"] = ("Klipp", "Clip"),
        ["evidence.peakg"] = ("Största acceleration", "Peak acceleration"),
        ["evidence.jerk"] = ("Största ryck", "Peak jerk"),
        ["evidence.impact"] = ("Kraftig stöt", "Hard impact"),
        ["evidence.audio.peak"] = ("Högsta ljudnivå", "Peak sound level"),
        ["evidence.audio.mean"] = ("Medelljudnivå", "Mean sound level"),
        ["evidence.track"] = ("Sträcka under inspelningen", "Distance during the recording"),
        ["evidence.track.points"] = ("{0} m ({1} positioner)", "{0} m ({1} positions)"),
        ["evidence.yes"] = ("Ja", "Yes"),
        ["evidence.no"] = ("Nej", "No"),
        ["evidence.motion.none"] = ("ingen rörelsesensor", "no motion sensor"),
        ["evidence.motion.denied"] = ("rörelsesensorn fick inte användas", "motion sensor not allowed"),
        ["evidence.geo.none"] = ("ingen position", "no position"),
        ["evidence.geo.denied"] = ("positionen fick inte användas", "location not allowed"),
        ["evidence.audio.none"] = ("inget ljud", "no sound"),
        ["evidence.again"] = ("Spela in igen", "Record again"),
        ["evidence.remove"] = ("Ta bort beviset", "Remove the evidence"),
        ["evidence.removed"] = ("Beviset togs bort.", "The evidence was removed."),
        ["evidence.denied"] = ("Halo fick inte använda kameran eller mikrofonen. Tillåt dem i webbläsarens inställningar för att spela in bevis. Du kan skicka rapporten utan bevis.",
            "Halo was not allowed to use the camera or microphone. Allow them in your browser settings to record evidence. You can send the report without evidence."),
        ["evidence.notfound"] = ("Ingen kamera eller mikrofon hittades. Du kan skicka rapporten utan bevis.", "No camera or microphone was found. You can send the report without evidence."),
        ["evidence.unsupported"] = ("Den här webbläsaren kan inte spela in video. Du kan skicka rapporten utan bevis.", "This browser cannot record video. You can send the report without evidence."),
        ["evidence.failed"] = ("Inspelningen kunde inte startas. Du kan försöka igen eller skicka rapporten utan bevis.", "The recording could not be started. You can try again or send the report without evidence."),
        ["validation.description"] = ("Beskriv vad som hände.", "Describe what happened."),
        ["validation.category"] = ("Välj en kategori.", "Choose a category."),
        ["validation.location"] = ("Ange en plats.", "Set a location."),
        ["validation.time.future"] = ("Tiden kan inte vara i framtiden.", "The time cannot be in the future."),
        ["validation.severity"] = ("Välj 1–5.", "Choose 1–5."),
        ["profile.title"] = ("Profil", "Profile"),
        ["profile.signin"] = ("Logga in", "Sign in"),
        ["profile.register"] = ("Skapa konto", "Register"),
        ["profile.signout"] = ("Logga ut", "Sign out"),
        ["profile.email"] = ("E-post", "Email"),
        ["profile.password"] = ("Lösenord", "Password"),
        ["profile.name"] = ("Visningsnamn", "Display name"),
        ["profile.signedin"] = ("Inloggad som {0}", "Signed in as {0}"),
        ["profile.myreports"] = ("Mina rapporter", "My reports"),
        ["profile.myreports.none"] = ("Inga rapporter från den här enheten än.", "No reports from this device yet."),
        ["profile.myreports.refresh"] = ("Uppdatera status", "Refresh status"),
        ["profile.myreports.refreshing"] = ("Uppdaterar…", "Refreshing…"),
        ["profile.myreports.gone"] = ("Händelsen finns inte längre (borttagen eller gallrad).", "The incident no longer exists (removed or expired)."),
        ["profile.myreports.stale"] = ("Kunde inte hämta aktuell status – visar status när rapporten skickades.", "Could not get the current status – showing the status when the report was sent."),
        ["verification.unverified"] = ("Ej bekräftad", "Unverified"),
        ["verification.corroborated"] = ("Bekräftad", "Corroborated"),
        ["verification.cross_validated"] = ("Matchar en polishändelse", "Matches a police event"),
        ["verification.rejected"] = ("Avvisad", "Rejected"),
        ["verification.active"] = ("Aktiv", "Active"),
        ["profile.settings"] = ("Inställningar", "Settings"),
        ["profile.language"] = ("Språk", "Language"),
        ["profile.error"] = ("Det gick inte: {0}", "That did not work: {0}"),
        ["lang.sv"] = ("Svenska", "Svenska"),
        ["lang.en"] = ("English", "English"),
        ["source.polisen"] = ("Polisen", "Police"),
        ["source.citizen"] = ("Medborgarrapport", "Citizen report"),
    };

    public string Language { get; private set; } = "sv";

    public CultureInfo Culture => CultureInfo.GetCultureInfo(Language == "sv" ? "sv-SE" : "en-GB");

    public event Action? Changed;

    public string this[string key] => Table.TryGetValue(key, out var t) ? (Language == "sv" ? t.Sv : t.En) : key;

    public string Format(string key, params object[] args) => string.Format(Culture, this[key], args);

    /// <summary>Picks the UI language from browser preferences such as "sv-SE" or "en-US"; anything else gets Swedish.</summary>
    public static string FromBrowser(IEnumerable<string> preferred)
    {
        foreach (var tag in preferred)
        {
            var lang = tag.Split('-', '_')[0].ToLowerInvariant();
            if (Languages.Contains(lang)) return lang;
        }
        return "sv";
    }

    public void SetLanguage(string language)
    {
        var lang = Languages.Contains(language) ? language : "sv";
        if (lang == Language) return;
        Language = lang;
        Changed?.Invoke();
    }

    /// <summary>Every text under "<paramref name="prefix"/>." in the current language, keyed by the rest of its key (for scripts that fill them in).</summary>
    public Dictionary<string, string> Group(string prefix) =>
        Table.Keys.Where(k => k.StartsWith(prefix + ".", StringComparison.Ordinal)).ToDictionary(k => k[(prefix.Length + 1)..], k => this[k]);

    /// <summary>A cluster's verification state in words; an unknown state is shown as it came.</summary>
    public string Verification(string state) => Table.ContainsKey($"verification.{state}") ? this[$"verification.{state}"] : state;

    /// <summary>A risk model's name in plain words (trailing_count_730d: "the count of events over the last 730 days"); an unknown one as it came.</summary>
    public string ModelName(string name)
    {
        if (name == "trailing_count_all") return this["model.trailing_count_all"];
        if (name.StartsWith("trailing_count_", StringComparison.Ordinal) && name.EndsWith('d')
            && int.TryParse(name["trailing_count_".Length..^1], NumberStyles.None, CultureInfo.InvariantCulture, out var days))
            return Format("model.trailing_count", days);
        if (Table.ContainsKey($"model.{name}")) return this[$"model.{name}"];
        return name.StartsWith("kde", StringComparison.Ordinal) ? this["model.kde"] : name;
    }

    public string CategoryName(string code) =>
        Halo.Api.Features.Taxonomy.HaloTaxonomy.ByCode.TryGetValue(code, out var c) ? (Language == "sv" ? c.NameSv : c.NameEn) : code;
}
