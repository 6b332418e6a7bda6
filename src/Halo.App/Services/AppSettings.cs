namespace Halo.App.Services;

/// <summary>What the user chose (language, visible layers) and this device's id, kept in localStorage.</summary>
public sealed class AppSettings(BrowserApi browser, Strings strings)
{
    private const string Prefix = "halo.";
    private bool _loaded;

    public bool ShowPredictions { get; private set; } = true;
    public bool ShowIncidents { get; private set; } = true;
    /// <summary>Whether the map's forecast panel (legend and hour slider) is open; closed, only its button shows.</summary>
    public bool ForecastPanelOpen { get; private set; } = true;

    /// <summary>A random id for this installation: the API rate-limits and de-duplicates reports per device.</summary>
    public string DeviceId { get; private set; } = "";

    public event Action? Changed;

    public async Task LoadAsync()
    {
        if (_loaded) return;
        _loaded = true;
        var lang = await browser.GetAsync(Prefix + "lang");
        strings.SetLanguage(lang ?? Strings.FromBrowser(await browser.LanguagesAsync()));
        await browser.SetDocumentLanguageAsync(strings.Language);
        ShowPredictions = await browser.GetAsync(Prefix + "layer.predictions") != "off";
        ShowIncidents = await browser.GetAsync(Prefix + "layer.incidents") != "off";
        ForecastPanelOpen = await browser.GetAsync(Prefix + "panel.forecast") != "closed";
        var device = await browser.GetAsync(Prefix + "device");
        if (string.IsNullOrEmpty(device))
        {
            device = "web-" + Guid.NewGuid().ToString("N");
            await browser.SetAsync(Prefix + "device", device);
        }
        DeviceId = device;
    }

    public async Task SetLanguageAsync(string lang)
    {
        strings.SetLanguage(lang);
        await browser.SetAsync(Prefix + "lang", strings.Language);
        await browser.SetDocumentLanguageAsync(strings.Language);
        Changed?.Invoke();
    }

    public async Task SetLayerAsync(string layer, bool visible)
    {
        if (layer == "predictions") ShowPredictions = visible;
        else if (layer == "incidents") ShowIncidents = visible;
        else throw new ArgumentOutOfRangeException(nameof(layer), layer, "Unknown layer.");
        await browser.SetAsync(Prefix + "layer." + layer, visible ? "on" : "off");
        Changed?.Invoke();
    }

    public async Task SetForecastPanelAsync(bool open)
    {
        ForecastPanelOpen = open;
        await browser.SetAsync(Prefix + "panel.forecast", open ? "open" : "closed");
        Changed?.Invoke();
    }

    /// <summary>Reports sent from this device (id, when), newest first, for the profile's list.</summary>
    public async Task<IReadOnlyList<SentReport>> SentReportsAsync()
    {
        var raw = await browser.GetAsync(Prefix + "reports");
        if (string.IsNullOrEmpty(raw)) return [];
        try { return System.Text.Json.JsonSerializer.Deserialize<List<SentReport>>(raw, HaloApiClient.Json) ?? []; }
        catch (System.Text.Json.JsonException) { return []; }
    }

    public async Task RememberReportAsync(SentReport report)
    {
        var list = (await SentReportsAsync()).Prepend(report).Take(50).ToList();
        await browser.SetAsync(Prefix + "reports", System.Text.Json.JsonSerializer.Serialize(list, HaloApiClient.Json));
    }
}

public sealed record SentReport(Guid ReportId, Guid IncidentId, string Category, DateTime SubmittedAt, bool IsNewIncident,
    int UniqueReporters, string Verification, bool IsVerified);
