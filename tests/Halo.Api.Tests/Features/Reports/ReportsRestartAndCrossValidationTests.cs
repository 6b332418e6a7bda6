using System.Globalization;
using System.IO.Compression;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Halo.Api.Features.Geo;
using Halo.Api.Features.Incidents;
using Halo.Api.Features.Reports;
using Halo.Api.Features.Taxonomy;
using Halo.Api.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using static Halo.Api.Tests.Features.Reports.ReportTestHelpers;

namespace Halo.Api.Tests.Features.Reports;

/// <summary>Idempotency records live in the database: a restarted app (a second factory over the same store) still honours them.</summary>
public abstract class ReportsRestartTests(DbProvider provider)
{
    [Fact]
    public async Task IdempotencyRulesSurviveARestartOfTheApp()
    {
        var dir = Path.Combine(Path.GetTempPath(), "halo-tests", Guid.NewGuid().ToString("N"));
        var database = provider == DbProvider.Postgres ? "halo_test_" + Guid.NewGuid().ToString("N")[..12] : null;
        var key = Guid.NewGuid().ToString();
        var (lat, lon) = NewPlace();
        string body, firstBody;
        HttpStatusCode firstStatus;
        using (var first = new HaloApiFactory(provider, dir, database) { KeepStoreOnDispose = true })
        {
            body = Body(NewDevice(), lat, lon, first.Now().AddMinutes(-3));
            var res = await first.CreateClient().SubmitRaw(body, key);
            firstStatus = res.StatusCode;
            firstBody = await res.Content.ReadAsStringAsync();
        }
        Assert.Equal(HttpStatusCode.Created, firstStatus);

        using var second = new HaloApiFactory(provider, dir, database);
        second.Clock.Advance(TimeSpan.FromDays(7));
        var client = second.CreateClient();
        var replay = await client.SubmitRaw(body, key);
        Assert.Equal(firstStatus, replay.StatusCode);
        Assert.Equal(firstBody, await replay.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await client.SubmitRaw(body.Replace("theft", "fraud", StringComparison.Ordinal), key)).StatusCode);
        Assert.Equal(1, await second.WithDb(db => db.Set<CitizenReport>().CountAsync()));
    }
}

public sealed class ReportsRestartSqliteTests() : ReportsRestartTests(DbProvider.Sqlite);

public sealed class ReportsRestartPostgresTests() : ReportsRestartTests(DbProvider.Postgres);

/// <summary>A real police event from the shared archive, stored as the ingestion feature stores it, matched by citizen reports.</summary>
public abstract partial class CrossValidationTests(HaloApiFactory factory)
{
    // The municipality-radius stand-in: ingestion (feat/ingestion) assigns each area its own radius.
    private const double MunicipalityPrecisionM = 10_000;

    private sealed record RawEvent(long Id, string Datetime, string Name, string Summary, string Url, string Type, RawLocation Location);
    private sealed record RawLocation(string Name, string Gps);

    [GeneratedRegex(@"^(\d{1,2}) (\p{L}+) (\d{1,2})[:.](\d{2})")]
    private static partial Regex TitleTime();

    private static readonly string[] Months = ["januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september", "oktober", "november", "december"];

    /// <summary>A 2024 theft-like event in Stockholm municipality, with its event time read from the title.</summary>
    private static (Incident Incident, RawEvent Raw) LoadPoliceEvent()
    {
        using var gz = new GZipStream(File.OpenRead(SharedData.PathOf("polisen", "events-2022-2024.json.gz")), CompressionMode.Decompress);
        var events = JsonSerializer.Deserialize<List<RawEvent>>(gz, new JsonSerializerOptions(JsonSerializerDefaults.Web))!;
        var stockholm = TimeZoneInfo.FindSystemTimeZoneById("Europe/Stockholm");
        foreach (var e in events)
        {
            if (e.Location?.Name != "Stockholm" || e.Type is not ("Stöld" or "Rån" or "Misshandel")) continue;
            var published = DateTimeOffset.ParseExact(e.Datetime, ["yyyy-MM-dd H:mm:ss zzz", "yyyy-MM-dd HH:mm:ss zzz"], CultureInfo.InvariantCulture, DateTimeStyles.None).UtcDateTime;
            if (published < new DateTime(2024, 11, 1, 0, 0, 0, DateTimeKind.Utc)) continue;
            var m = TitleTime().Match(e.Name);
            if (!m.Success) continue;
            var local = new DateTime(published.Year, Array.IndexOf(Months, m.Groups[2].Value) + 1, int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture),
                int.Parse(m.Groups[3].Value, CultureInfo.InvariantCulture), int.Parse(m.Groups[4].Value, CultureInfo.InvariantCulture), 0);
            var occurred = TimeZoneInfo.ConvertTimeToUtc(local, stockholm);
            if ((published - occurred).TotalMinutes < 30) continue; // want a real publication lag
            var gps = e.Location.Gps.Split(',');
            var lat = double.Parse(gps[0], CultureInfo.InvariantCulture);
            var lon = double.Parse(gps[1], CultureInfo.InvariantCulture);
            var map = HaloTaxonomy.MapPolisenType(e.Type);
            return (new Incident
            {
                Id = Guid.NewGuid(),
                Source = IncidentSources.Polisen,
                ExternalId = e.Id.ToString(CultureInfo.InvariantCulture),
                RawType = e.Type,
                Category = map.Category,
                Severity = map.Severity,
                IsIncident = map.IsIncident,
                Title = e.Name,
                Summary = e.Summary,
                OccurredAt = occurred,
                PublishedAt = published,
                Latitude = lat,
                Longitude = lon,
                LocationName = e.Location.Name,
                LocationPrecisionM = MunicipalityPrecisionM,
                H3Res9 = GeoCells.Cell(lat, lon, 9),
                H3Res7 = GeoCells.Cell(lat, lon, 7),
                Status = IncidentStatus.Active,
                IsVerified = true,
                SourceUrl = "https://polisen.se" + e.Url,
                CreatedAt = published,
                UpdatedAt = published,
            }, e);
        }
        throw new InvalidOperationException("No suitable police event in the shared archive.");
    }

    [Fact]
    public async Task ReportsOfARealPoliceEventCrossValidateItWhileItKeepsItsOwnData()
    {
        var (official, raw) = LoadPoliceEvent();
        await factory.WithDb(db => { db.Incidents.Add(official); return db.SaveChangesAsync(); });
        var client = factory.CreateClient();

        // 4 km from the municipality centroid (inside its area; 2 km would already be out of reach of the point itself),
        // ten minutes after the event time in the title, which is well before the publication time.
        var (lat, lon) = TestIncidents.Offset(official.Latitude, official.Longitude, 4_000, 135);
        var r1 = await client.SubmitOk(Body(NewDevice(), lat, lon, official.OccurredAt.AddMinutes(10), official.Category, "Saw it happen"));
        Assert.Equal(official.Id, r1.MatchedOfficialIncidentId);
        Assert.NotEqual(official.Id, r1.IncidentId);
        Assert.True(r1.IsNewIncident);
        Assert.True(r1.IsVerified);
        Assert.Equal("cross_validated", r1.Verification);

        var (lat2, lon2) = TestIncidents.Offset(official.Latitude, official.Longitude, 3_000, 200);
        var r2 = await client.SubmitOk(Body(NewDevice(), lat2, lon2, official.OccurredAt.AddMinutes(25), official.Category, "Police arrived"));
        Assert.Equal(r1.IncidentId, r2.IncidentId);
        Assert.Equal(official.Id, r2.MatchedOfficialIncidentId);
        Assert.Equal(2, r2.ReportCount);

        var stored = await factory.WithDb(db => db.Incidents.AsNoTracking().SingleAsync(i => i.Id == official.Id));
        Assert.Equal(raw.Name, stored.Title);
        Assert.Equal(raw.Summary, stored.Summary);
        Assert.Equal(official.Latitude, stored.Latitude);
        Assert.Equal(official.OccurredAt, stored.OccurredAt);
        Assert.Equal(IncidentStatus.Active, stored.Status);
        Assert.Equal(2, stored.CitizenCorroborations);

        // The citizens' descriptions are reachable from the official incident's id.
        var cluster = await client.Cluster(official.Id);
        Assert.Equal(r1.IncidentId, cluster!.IncidentId);
        Assert.Equal(["Police arrived", "Saw it happen"], cluster.Reports.Select(r => r.Description).Order());

        var cross = await (await client.GetAsync("/api/v1/reports/cross-source-stats?days=365")).ReadAsync<CrossSourceStats>();
        Assert.True(cross.CrossValidated >= 1);
    }
}

public sealed class CrossValidationSqliteFactory : HaloApiFactory
{
    public CrossValidationSqliteFactory() : base(DbProvider.Sqlite) => With("Reports:MaxReportAgeDays", "365");
}

public sealed class CrossValidationPostgresFactory : HaloApiFactory
{
    public CrossValidationPostgresFactory() : base(DbProvider.Postgres) => With("Reports:MaxReportAgeDays", "365");
}

public sealed class CrossValidationSqliteTests(CrossValidationSqliteFactory f) : CrossValidationTests(f), IClassFixture<CrossValidationSqliteFactory>;

public sealed class CrossValidationPostgresTests(CrossValidationPostgresFactory f) : CrossValidationTests(f), IClassFixture<CrossValidationPostgresFactory>;
