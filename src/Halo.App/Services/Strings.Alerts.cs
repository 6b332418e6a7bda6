namespace Halo.App.Services;

// The words of live updates, alerts, push and the offline cache (kept apart from the main table).
public sealed partial class Strings
{
    private static readonly Dictionary<string, (string Sv, string En)> AlertsTable = new()
    {
        ["tab.alerts"] = ("Varningar", "Alerts"),
        ["alerts.title"] = ("Varningar", "Alerts"),
        ["alerts.intro"] = ("Halo kan varna dig när du kommer in i ett område med hög risk eller när något händer nära dig eller en plats du bevakar.", "Halo can warn you when you enter a high-risk area or when something happens near you or a place you watch."),
        ["alerts.geofence"] = ("Varna mig medan appen är öppen (använder min position)", "Alert me while the app is open (uses my position)"),
        ["alerts.geofence.hint"] = ("Positionen skickas högst var 30:e sekund och bara när du har rört dig, medan appen syns. Servern sparar den inte.", "The position is sent at most every 30 seconds and only when you have moved, while the app is visible. The server does not store it."),
        ["alerts.geofence.on"] = ("Bevakar din position.", "Watching your position."),
        ["alerts.geofence.denied"] = ("Halo fick inte använda din position. Tillåt platsåtkomst i webbläsarens inställningar.", "Halo was not allowed to use your location. Allow location access in your browser settings."),
        ["alerts.geofence.unavailable"] = ("Din position kunde inte bestämmas just nu.", "Your position could not be determined right now."),
        ["alerts.notifications"] = ("Notiser", "Notifications"),
        ["alerts.notifications.allow"] = ("Tillåt notiser", "Allow notifications"),
        ["alerts.notifications.granted"] = ("Notiser är tillåtna.", "Notifications are allowed."),
        ["alerts.notifications.denied"] = ("Notiser är blockerade i webbläsarens inställningar.", "Notifications are blocked in the browser settings."),
        ["alerts.notifications.unsupported"] = ("Den här webbläsaren kan inte visa notiser.", "This browser cannot show notifications."),
        ["alerts.push"] = ("Push-notiser när appen är stängd", "Push notifications when the app is closed"),
        ["alerts.push.on"] = ("Aktivera push-notiser", "Turn on push notifications"),
        ["alerts.push.off"] = ("Stäng av push-notiser", "Turn off push notifications"),
        ["alerts.push.subscribed"] = ("Push-notiser är på för den här enheten.", "Push notifications are on for this device."),
        ["alerts.push.none"] = ("Push-notiser är av.", "Push notifications are off."),
        ["alerts.push.unsupported"] = ("Den här webbläsaren stöder inte push-notiser.", "This browser does not support push notifications."),
        ["alerts.push.denied"] = ("Notiser är blockerade, så push kan inte slås på.", "Notifications are blocked, so push cannot be turned on."),
        ["alerts.push.failed"] = ("Push-notiser kunde inte slås på: {0}", "Push notifications could not be turned on: {0}"),
        ["alerts.settings.link"] = ("Varningsinställningar och bevakade platser", "Alert settings and watched places"),
        ["alerts.prefs"] = ("Vad ska jag varnas för?", "What should I be alerted about?"),
        ["alerts.level"] = ("Lägsta risknivå", "Lowest risk level"),
        ["alerts.radius"] = ("Avstånd till händelser", "Distance to incidents"),
        ["alerts.categories"] = ("Kategorier", "Categories"),
        ["alerts.categories.hint"] = ("Ingen vald: alla kategorier.", "None chosen: every category."),
        ["alerts.quiet"] = ("Tysta timmar", "Quiet hours"),
        ["alerts.quiet.on"] = ("Inga varningar under tysta timmar", "No alerts during quiet hours"),
        ["alerts.quiet.from"] = ("Från", "From"),
        ["alerts.quiet.to"] = ("Till", "To"),
        ["alerts.language"] = ("Språk i varningar", "Language of alerts"),
        ["alerts.places"] = ("Bevakade platser", "Watched places"),
        ["alerts.places.none"] = ("Inga bevakade platser.", "No watched places."),
        ["alerts.places.name"] = ("Namn", "Name"),
        ["alerts.places.where"] = ("Plats", "Place"),
        ["alerts.places.mine"] = ("Min nuvarande position", "My current position"),
        ["alerts.places.radius"] = ("Radie", "Radius"),
        ["alerts.places.add"] = ("Lägg till plats", "Add place"),
        ["alerts.places.remove"] = ("Ta bort {0}", "Remove {0}"),
        ["alerts.places.max"] = ("Högst 10 platser.", "At most 10 places."),
        ["alerts.places.noname"] = ("Ge platsen ett namn.", "Give the place a name."),
        ["alerts.save"] = ("Spara inställningar", "Save settings"),
        ["alerts.saving"] = ("Sparar…", "Saving…"),
        ["alerts.saved"] = ("Inställningarna är sparade.", "The settings are saved."),
        ["alerts.loading"] = ("Hämtar inställningar…", "Loading settings…"),
        ["alerts.needpush"] = ("Logga in eller aktivera push-notiser först: utan konto sparas inställningarna med enhetens push-prenumeration.", "Sign in or turn on push notifications first: without an account the settings are kept with this device's push subscription."),
        ["alerts.error"] = ("Inställningarna kunde inte sparas: {0}", "The settings could not be saved: {0}"),
        ["alerts.loaderror"] = ("Inställningarna kunde inte hämtas; standardvärden visas.", "The settings could not be loaded; the defaults are shown."),
        ["alert.dismiss"] = ("Stäng varningen", "Dismiss the alert"),
        ["alert.label"] = ("Varning", "Alert"),
        ["stale.note"] = ("Offline – visar sparade data från {0}.", "Offline – showing saved data from {0}."),
        ["source.staff"] = ("Halo-redaktionen", "Halo staff"),
    };

    static Strings()
    {
        foreach (var (key, words) in AlertsTable) Table.TryAdd(key, words);
    }
}
