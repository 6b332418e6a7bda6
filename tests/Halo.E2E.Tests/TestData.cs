using Halo.Api.Data;
using Halo.Api.Features.Geo;
using Halo.Api.Features.Incidents;
using Microsoft.Extensions.DependencyInjection;

namespace Halo.E2E.Tests;

/// <summary>
/// Recent police events the app draws and the classifier learns from: a few hand-written Swedish sentences per
/// category, stored as Stockholm-area police events (coarse: drawn as the municipality) plus verified citizen points.
/// </summary>
internal static class TestData
{
    private static readonly (string Category, string Type, string[] Texts)[] Corpus =
    [
        ("traffic", "Trafikolycka", [
            "En personbil har kört av vägen och hamnat i diket.", "Trafikolycka mellan två bilar i korsningen.",
            "Bil och lastbil har kolliderat på E4:an, en person skadad.", "Singelolycka, bilen voltade på länsvägen.",
            "Kollision mellan cyklist och bil vid rondellen.", "Viltolycka med älg på riksvägen under natten.",
            "Två personbilar krockade i rusningstrafiken.", "Buss har kört in i ett räcke på motorvägen.",
            "Påkörning av fotgängare på övergångsstället.", "Bilen gled av vägen i halkan och körde in i ett träd.",
            "Mopedist skadad efter krock med bil.", "Olycka i korsningen, två bilar krockade vid rött ljus.",
            "Två bilar har krockat, en förare är lätt skadad.", "Personbil och taxi har krockat i en korsning i centrum.",
            "Bilist skadad efter att ha krockat med en buss.", "En bil har krockat med en lyktstolpe, föraren skadad.",
            "Flera bilar inblandade i en krock på motorvägen.", "Trafikolycka vid avfarten, en person skadad.",
        ]),
        ("fire", "Brand", [
            "Brand i ett flerfamiljshus, räddningstjänsten är på plats.", "Det brinner i en villa, kraftig rökutveckling.",
            "Brand i en bil på en parkeringsplats under natten.", "Soprum i brand i källaren, ingen skadad.",
            "Eld i en container vid skolan.", "Lägenhetsbrand, boende evakuerade ur trapphuset.",
            "Skogsbrand sprider sig snabbt i torkan.", "Brand i ett garage, rök syns på långt håll.",
            "Gräsbrand vid järnvägen.", "Brinnande husvagn på en camping.", "Brand i ett kök efter att spisen lämnats på.",
            "En bil brann ut helt på parkeringen.",
        ]),
        ("theft", "Stöld", [
            "En cykel har stulits utanför stationen.", "Butiksstöld i en matbutik, en person gripen.",
            "Plånbok stulen på bussen.", "Stöld av verktyg från en byggarbetsplats.", "Ficktjuv har tagit en mobiltelefon på tåget.",
            "Snatteri på ett varuhus i centrum.", "Någon har stulit en väska från ett kafé.", "Stöld av diesel från en lastbil.",
            "Cykelstöld i ett cykelrum i källaren.", "Mobiltelefon stulen från ett bord på restaurangen.",
            "Stöld i en klädbutik, larmet gick.", "En barnvagn har stulits från trapphuset.",
        ]),
        ("violence", "Misshandel", [
            "En man har misshandlats utanför en krog.", "Bråk som övergick i misshandel på torget.",
            "En kvinna har blivit slagen i ansiktet.", "Misshandel på en fest, en person förd till sjukhus.",
            "Två personer har attackerat en man vid busshållplatsen.", "En person sparkad och slagen i en park.",
            "Misshandel i en lägenhet, grannar larmade.", "Ungdom misshandlad av ett gäng på skolgården.",
            "Man slagen med tillhygge vid stationen.", "Misshandel på ett tåg, gärningsmannen flydde.",
            "En vakt misshandlades vid entrén.", "Person knivhotad och slagen i en trappuppgång.",
        ]),
    ];

    public static async Task SeedAsync(IServiceProvider services)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<HaloDbContext>();
        var now = DateTime.UtcNow;
        var i = 0;
        foreach (var (category, type, texts) in Corpus)
        {
            foreach (var text in texts)
            {
                var at = now.AddHours(-2 - i);
                // Stockholm's municipality radius, as the police feed's area precision gives it.
                db.Set<Incident>().Add(Incident(IncidentSources.Polisen, $"e2e-{i}", type, category, text, at, 59.3293, 18.0686, "Stockholm", 18_779, verified: true));
                i++;
            }
        }
        // Precise, verified citizen incidents in Göteborg: drawn as points (clustered when zoomed out).
        for (var k = 0; k < 3; k++)
            db.Set<Incident>().Add(Incident(IncidentSources.Citizen, null, "traffic", "traffic", "Krock vid Järntorget.", now.AddHours(-1 - k),
                57.6995 + k * 0.001, 11.9533 + k * 0.001, null, 30, verified: true));
        await db.SaveChangesAsync();
    }

    /// <summary>
    /// Half a year of precise incidents around Slussen (evening-heavy, a hot spot at the square), for the risk model the
    /// fixture trains; kept ~7 km from Bromma, where the map test clicks the Stockholm area.
    /// </summary>
    public static async Task SeedRiskHistoryAsync(IServiceProvider services)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<HaloDbContext>();
        var rng = new Random(5);
        var now = DateTime.UtcNow;
        const double lat0 = 59.3195, lon0 = 18.0720;
        for (var k = 0; k < 600; k++)
        {
            var metres = k % 3 == 0 ? rng.NextDouble() * 150 : rng.NextDouble() * 2500;
            var bearing = rng.NextDouble() * 2 * Math.PI;
            var lat = lat0 + metres * Math.Cos(bearing) / 111_320;
            var lon = lon0 + metres * Math.Sin(bearing) / (111_320 * Math.Cos(lat0 * Math.PI / 180));
            var hour = rng.NextDouble() < 0.6 ? 18 + rng.Next(6) : rng.Next(24);
            var at = now.Date.AddDays(-rng.Next(1, 180)).AddHours(hour);
            db.Set<Incident>().Add(Incident("import:e2e-history", $"h{k}", "violence", "violence", "Misshandel nära Slussen.", at,
                lat, lon, null, 20, verified: true));
        }
        await db.SaveChangesAsync();
    }

    internal static Incident Incident(string source, string? externalId, string type, string category, string summary, DateTime at,
        double lat, double lon, string? locationName, double precisionM, bool verified) => new()
    {
        Id = Guid.NewGuid(), Source = source, ExternalId = externalId, RawType = type, Category = category, Severity = 2,
        Title = $"{at:d MMMM HH:mm}, {type}, {locationName ?? "Göteborg"}", Summary = summary, OccurredAt = at, PublishedAt = at,
        CreatedAt = at, UpdatedAt = at, IsIncident = true, Latitude = lat, Longitude = lon, LocationName = locationName,
        LocationPrecisionM = precisionM, IsVerified = verified, Status = IncidentStatus.Active,
        H3Res9 = GeoCells.Cell(lat, lon, GeoCells.FineResolution), H3Res7 = GeoCells.Cell(lat, lon, GeoCells.CoarseResolution),
        SourceUrl = source == IncidentSources.Polisen ? "https://polisen.se/aktuellt/handelser/" : null,
    };
}
