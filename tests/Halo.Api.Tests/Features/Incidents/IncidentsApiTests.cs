using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using Halo.Api.Features.Geo;
using Halo.Api.Features.Incidents;
using Halo.Api.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Halo.Api.Tests.Features.Incidents;

/// <summary>The incidents API, run once per provider (see the sealed subclasses at the bottom).</summary>
public abstract class IncidentsApiTests(HaloApiFactory factory)
{
    private static readonly DateTime Base = new(2025, 3, 1, 12, 0, 0, DateTimeKind.Utc);
    private readonly HttpClient _client = factory.CreateClient();

    private Task Seed(IEnumerable<Incident> rows) => factory.WithDb(async db =>
    {
        db.Incidents.AddRange(rows);
        return await db.SaveChangesAsync();
    });

    private static string Inv(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);

    [Fact]
    public async Task ListReturnsOnlyIncidentsInsideTheBbox()
    {
        var src = TestIncidents.NewSource();
        await Seed([
            TestIncidents.Make(src, 59.33, 18.06, Base),
            TestIncidents.Make(src, 59.34, 18.07, Base.AddHours(-1)),
            TestIncidents.Make(src, 57.70, 11.97, Base), // Gothenburg: outside
        ]);

        var page = await _client.GetFromJsonAsync<IncidentPage>(
            $"/api/v1/incidents?source={src}&bbox=17.9,59.2,18.2,59.4", Json.Options);

        Assert.Equal(2, page!.Count);
        Assert.All(page.Items, i => Assert.InRange(i.Latitude, 59.2, 59.4));
        Assert.True(page.Items[0].OccurredAt >= page.Items[1].OccurredAt, "newest first");
    }

    [Fact]
    public async Task RadiusSearchMatchesHaversineGroundTruth()
    {
        var src = TestIncidents.NewSource();
        var rng = new Random(42);
        const double lat0 = 59.3293, lon0 = 18.0686, radiusM = 5_000;
        var rows = new List<Incident>();
        for (var n = 0; n < 400; n++)
        {
            // Keep a 20 m band clear of the boundary, so sphere-model rounding cannot decide membership.
            double d;
            do d = rng.NextDouble() * 10_000; while (Math.Abs(d - radiusM) < 20);
            var (lat, lon) = TestIncidents.Offset(lat0, lon0, d, rng.NextDouble() * 360);
            rows.Add(TestIncidents.Make(src, lat, lon, Base.AddMinutes(-n)));
        }
        await Seed(rows);
        var expected = rows.Where(r => Haversine.DistanceM(lat0, lon0, r.Latitude, r.Longitude) <= radiusM)
            .Select(r => r.Id).ToHashSet();

        var got = new List<IncidentDto>();
        string? cursor = null;
        do
        {
            var url = Inv($"/api/v1/incidents?source={src}&lat={lat0}&lon={lon0}&radius_km={radiusM / 1000}&limit=50")
                + (cursor is null ? "" : "&cursor=" + cursor);
            var page = await _client.GetFromJsonAsync<IncidentPage>(url, Json.Options);
            got.AddRange(page!.Items);
            cursor = page.NextCursor;
        } while (cursor is not null);

        Assert.True(expected.Count > 50, "the sample must span several pages");
        Assert.Equal(expected.Order(), got.Select(i => i.Id).Order());
    }

    [Fact]
    public async Task NearbyIsOrderedByDistanceWithExactDistance()
    {
        var src = TestIncidents.NewSource();
        const double lat0 = 55.6050, lon0 = 13.0038; // Malmö
        var distances = new[] { 2500.0, 300, 1200, 50, 4900, 7000 };
        var rows = distances.Select((d, n) =>
        {
            var (lat, lon) = TestIncidents.Offset(lat0, lon0, d, n * 57);
            return TestIncidents.Make(src, lat, lon, Base);
        }).ToList();
        await Seed(rows);

        var res = await _client.GetFromJsonAsync<NearbyResult>(
            Inv($"/api/v1/incidents/nearby?source={src}&lat={lat0}&lon={lon0}&radius_km=5"), Json.Options);

        var got = res!.Items.Select(i => i.DistanceM!.Value).ToList();
        Assert.Equal(5, got.Count);
        Assert.Equal(got.Order(), got);
        foreach (var (want, have) in distances.Where(d => d <= 5000).Order().Zip(got))
            Assert.InRange(have, want - 1, want + 1);
    }

    [Fact]
    public async Task FiltersByCategorySeverityTimeSourceAndVerification()
    {
        var src = TestIncidents.NewSource();
        await Seed([
            TestIncidents.Make(src, 59.0, 18.0, Base.AddDays(-1), "violence", 4),
            TestIncidents.Make(src, 59.0, 18.0, Base.AddDays(-2), "theft", 2),
            TestIncidents.Make(src, 59.0, 18.0, Base.AddDays(-10), "violence", 5),
            TestIncidents.Make(src, 59.0, 18.0, Base.AddDays(-1), "fire", 3, verified: false),
            TestIncidents.Make(src, 59.0, 18.0, Base.AddDays(-1), "other", 1, isIncident: false),
            TestIncidents.Make(src, 59.0, 18.0, Base.AddDays(-1), "violence", 5, status: IncidentStatus.Rejected),
        ]);
        async Task<int> Count(string q) =>
            (await _client.GetFromJsonAsync<IncidentPage>($"/api/v1/incidents?source={src}&{q}", Json.Options))!.Count;

        Assert.Equal(4, await Count("limit=500"));
        Assert.Equal(2, await Count("category=violence"));
        Assert.Equal(3, await Count("category=violence&category=theft"));
        Assert.Equal(2, await Count("severity_min=3&severity_max=4"));
        Assert.Equal(3, await Count("from=2025-02-26T00:00:00Z"));
        Assert.Equal(1, await Count("from=2025-02-18&to=2025-02-20"));
        Assert.Equal(3, await Count("verified_only=true"));
        Assert.Equal(5, await Count("include_non_incidents=true"));
        // rolling_days counts back from the app's clock (the factory's fake clock is 2025-03-14 12:00 UTC).
        Assert.Equal(0, await Count("rolling_days=7"));
        Assert.Equal(4, await Count("rolling_days=30"));
    }

    [Fact]
    public async Task PaginationHasNoDuplicatesOrGapsUnderConcurrentInserts()
    {
        var src = TestIncidents.NewSource();
        var rng = new Random(7);
        var original = Enumerable.Range(0, 240)
            // Repeated timestamps on purpose: the id breaks ties.
            .Select(n => TestIncidents.Make(src, 59.3, 18.0, Base.AddMinutes(-rng.Next(0, 120))))
            .ToList();
        await Seed(original);

        using var stop = new CancellationTokenSource();
        var writer = Task.Run(async () =>
        {
            var r = new Random(8);
            while (!stop.IsCancellationRequested)
            {
                await Seed([TestIncidents.Make(src, 59.3, 18.0, Base.AddMinutes(-r.Next(-60, 180)))]);
            }
        });

        var seen = new List<Guid>();
        string? cursor = null;
        do
        {
            var page = await _client.GetFromJsonAsync<IncidentPage>(
                $"/api/v1/incidents?source={src}&limit=17" + (cursor is null ? "" : "&cursor=" + cursor), Json.Options);
            seen.AddRange(page!.Items.Select(i => i.Id));
            cursor = page.NextCursor;
        } while (cursor is not null);
        await stop.CancelAsync();
        await writer;

        Assert.Equal(seen.Count, seen.Distinct().Count());
        Assert.Empty(original.Select(o => o.Id).Except(seen));
    }

    [Fact]
    public async Task GetByIdReturnsTheIncident()
    {
        var src = TestIncidents.NewSource();
        var row = TestIncidents.Make(src, 59.86, 17.64, Base, "burglary", 3);
        await Seed([row]);

        var got = await _client.GetFromJsonAsync<IncidentDto>($"/api/v1/incidents/{row.Id}", Json.Options);

        Assert.Equal(row.Id, got!.Id);
        Assert.Equal("burglary", got.Category);
        Assert.Equal(GeoCells.Format(row.H3Res9), got.H3Res9);
    }

    [Fact]
    public async Task UnknownOrDeletedIdIsNotFoundProblem()
    {
        var src = TestIncidents.NewSource();
        var deleted = TestIncidents.Make(src, 59.86, 17.64, Base, status: IncidentStatus.Deleted);
        await Seed([deleted]);

        foreach (var url in new[] { $"/api/v1/incidents/{Guid.NewGuid()}", $"/api/v1/incidents/{deleted.Id}", "/api/v1/incidents/not-a-guid", "/api/v1/incidents/..%2F..%2Fetc%2Fpasswd" })
        {
            var res = await _client.GetAsync(url);
            Assert.Equal(HttpStatusCode.NotFound, res.StatusCode);
            Assert.Equal("application/problem+json", res.Content.Headers.ContentType?.MediaType);
        }
    }

    [Fact]
    public async Task APostedIncidentIsAStaffIncidentAtItsGivenPositionOwnedByTheModerator()
    {
        var moderator = await factory.CreateUserAsync(Halo.Api.Features.Auth.Roles.Moderator);
        var client = factory.CreateClientWithToken(moderator.AccessToken);
        var res = await client.PostAsJsonAsync("/api/v1/incidents", new
        {
            category = "vandalism",
            description = "Krossade rutor vid busshållplatsen",
            occurred_at = factory.Clock.GetUtcNow().AddHours(-2),
            latitude = 59.3326,
            longitude = 18.0649,
        });

        Assert.Equal(HttpStatusCode.Created, res.StatusCode);
        var dto = await res.ReadAsync<IncidentDto>();
        Assert.Equal(IncidentSources.Staff, dto.Source);
        Assert.True(dto.IsVerified);
        Assert.Equal(2, dto.Severity); // vandalism's default
        var stored = await factory.WithDb(db => db.Incidents.AsNoTracking().SingleAsync(i => i.Id == dto.Id));
        Assert.Equal("Krossade rutor vid busshållplatsen", stored.Summary);
        Assert.Equal(moderator.User.Id, stored.CreatedByUserId);
    }

    [Fact]
    public async Task CitizensCannotPostAnIncidentOnlySubmitReports()
    {
        var citizen = await factory.CreateClientAsAsync();
        var body = new { category = "theft", description = "x", occurred_at = factory.Clock.GetUtcNow().AddHours(-1), latitude = 59, longitude = 18 };
        Assert.Equal(HttpStatusCode.Forbidden, (await citizen.PostAsJsonAsync("/api/v1/incidents", body)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await _client.PostAsJsonAsync("/api/v1/incidents", body)).StatusCode);
        Assert.Equal(0, await factory.WithDb(db => db.Incidents.CountAsync(i => i.Summary == "x")));
    }

    [Fact]
    public async Task AuthorAndAdminMayEditOrDeleteAStaffIncidentButOtherModeratorsMayNot()
    {
        var owner = await factory.CreateUserAsync(Halo.Api.Features.Auth.Roles.Moderator);
        var ownerClient = factory.CreateClientWithToken(owner.AccessToken);
        var other = await factory.CreateClientAsAsync(Halo.Api.Features.Auth.Roles.Moderator);
        var admin = await factory.CreateClientAsAsync(Halo.Api.Features.Auth.Roles.Admin);
        var created = await (await ownerClient.PostAsJsonAsync("/api/v1/incidents", new
        {
            category = "theft", description = "Cykel stulen", occurred_at = factory.Clock.GetUtcNow().AddHours(-1), latitude = 59.3, longitude = 18.0,
        })).ReadAsync<IncidentDto>();
        var url = $"/api/v1/incidents/{created.Id}";

        Assert.Equal(HttpStatusCode.Forbidden, (await other.PutAsJsonAsync(url, new { description = "hijack" })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await other.DeleteAsync(url)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await ownerClient.PutAsJsonAsync(url, new { severity = 3 })).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync(url)).StatusCode);

        Assert.Equal(HttpStatusCode.NotFound, (await _client.GetAsync(url)).StatusCode);
        var (status, audits) = await factory.WithDb(async db => (
            (await db.Incidents.AsNoTracking().SingleAsync(i => i.Id == created.Id)).Status,
            await db.Set<Halo.Api.Features.Audit.AuditEntry>().CountAsync(a => a.EntityId == created.Id.ToString() && a.Action == "incident.deleted")));
        Assert.Equal(IncidentStatus.Deleted, status);
        Assert.Equal(1, audits);
    }

    [Fact]
    public async Task OfficialIncidentsAreReadOnlyEvenForAdmins()
    {
        var src = TestIncidents.NewSource();
        var official = TestIncidents.Make(src, 59.0, 18.0, Base);
        await Seed([official]);
        var admin = await factory.CreateClientAsAsync(Halo.Api.Features.Auth.Roles.Admin);
        Assert.Equal(HttpStatusCode.Conflict, (await admin.DeleteAsync($"/api/v1/incidents/{official.Id}")).StatusCode);
    }

    [Fact]
    public async Task StatsSummaryMatchesADirectQuery()
    {
        var src = TestIncidents.NewSource();
        var now = factory.Clock.GetUtcNow().UtcDateTime;
        await Seed([
            TestIncidents.Make(src, 59.0, 18.0, now.AddHours(-3), "violence", 4),
            TestIncidents.Make(src, 59.0, 18.0, now.AddDays(-3), "theft", 2),
            TestIncidents.Make(src, 59.0, 18.0, now.AddDays(-20), "theft", 2),
        ]);

        var stats = await _client.GetFromJsonAsync<IncidentStats>("/api/v1/incidents/stats/summary", Json.Options);

        var expected = await factory.WithDb(async db =>
        {
            var rows = await db.Incidents.AsNoTracking()
                .Where(i => i.IsIncident && i.Status != IncidentStatus.Deleted && i.Status != IncidentStatus.Rejected)
                .Select(i => new { i.Category, i.Source, i.OccurredAt }).ToListAsync();
            return rows;
        });
        Assert.Equal(expected.Count, stats!.Total);
        Assert.Equal(expected.Count(r => r.Source == src), stats.BySource[src]);
        foreach (var g in expected.GroupBy(r => r.Category)) Assert.Equal(g.Count(), stats.ByCategory[g.Key]);
        Assert.Equal(expected.Count(r => r.OccurredAt >= now.AddDays(-1) && r.OccurredAt <= now), stats.Last24h);
        Assert.Equal(expected.Count(r => r.OccurredAt >= now.AddDays(-7) && r.OccurredAt <= now), stats.Last7d);
        Assert.Equal(expected.Count(r => r.OccurredAt >= now.AddDays(-30) && r.OccurredAt <= now), stats.Last30d);
        Assert.True(stats.Last24h >= 1 && stats.Last7d >= 2 && stats.Last30d >= 3);
    }

    /// <summary>
    /// The list page runs hand-written SQL (IncidentPageSql) for speed; the LINQ filter in IncidentSearch.Apply is the
    /// definition. Every filter, walked page by page through the API, must return exactly the LINQ answer.
    /// </summary>
    [Fact]
    public async Task ListPagesMatchTheLinqFilterDefinitionForEveryFilter()
    {
        var src = TestIncidents.NewSource();
        var rng = new Random(7);
        string[] categories = ["theft", "violence", "traffic", "vandalism"];
        string?[] statuses = [null, null, null, IncidentStatus.Deleted, IncidentStatus.Rejected];
        var rows = new List<Incident>();
        for (var n = 0; n < 240; n++)
        {
            // Stockholm, and a few on both sides of the antimeridian; repeated timestamps exercise the id tie-break.
            var (lat, lon) = n % 12 == 0
                ? (-16.5 + rng.NextDouble(), n % 24 == 0 ? 179.5 + rng.NextDouble() * 0.49 : -179.99 + rng.NextDouble() * 0.49)
                : (59.25 + rng.NextDouble() * 0.2, 17.9 + rng.NextDouble() * 0.35);
            rows.Add(TestIncidents.Make(src, lat, lon, Base.AddHours(-(n / 3)), categories[n % 4], 1 + n % 5,
                verified: n % 3 != 0, isIncident: n % 17 != 0, status: statuses[n % 5]));
        }
        await Seed(rows);

        (string Query, IncidentFilter Filter)[] cases =
        [
            ("", new IncidentFilter()),
            ("bbox=17.95,59.28,18.15,59.40", new IncidentFilter { Bbox = (17.95, 59.28, 18.15, 59.40) }),
            ("bbox=179.6,-17,-179.7,-15", new IncidentFilter { Bbox = (179.6, -17, -179.7, -15) }),
            ("lat=59.33&lon=18.05&radius_km=6", new IncidentFilter { Circle = (59.33, 18.05, 6_000) }),
            ("category=violence,traffic&severity_min=2&severity_max=4", Filtered(f => { f.Categories.AddRange(["violence", "traffic"]); f.SeverityMin = 2; f.SeverityMax = 4; })),
            ("verified_only=true&include_non_incidents=true", new IncidentFilter { VerifiedOnly = true, IncludeNonIncidents = true }),
            (Inv($"from={Base.AddHours(-40):O}&to={Base.AddHours(-10):O}&bbox=17.9,59.2,18.3,59.5"),
                new IncidentFilter { From = Base.AddHours(-40), To = Base.AddHours(-10), Bbox = (17.9, 59.2, 18.3, 59.5) }),
        ];
        foreach (var (query, filter) in cases)
        {
            filter.Source = src;
            var expected = await factory.WithDb(async db =>
                (await IncidentSearch.Apply(db, filter).OrderByDescending(i => i.OccurredAt).ThenByDescending(i => i.Id).ToListAsync())
                .Where(i => filter.Circle is not { } c || Haversine.DistanceM(c.Lat, c.Lon, i.Latitude, i.Longitude) <= c.RadiusM)
                .Select(i => i.Id).ToList());
            var got = new List<Guid>();
            string? cursor = null;
            do
            {
                var url = $"/api/v1/incidents?source={src}&limit=7" + (query.Length > 0 ? "&" + query : "")
                    + (cursor is null ? "" : "&cursor=" + cursor);
                var page = await _client.GetFromJsonAsync<IncidentPage>(url.Replace("+", "%2B"), Json.Options);
                got.AddRange(page!.Items.Select(i => i.Id));
                cursor = page.NextCursor;
            } while (cursor is not null);
            Assert.True(expected.Count > 0, $"case '{query}' must match some rows");
            Assert.Equal(expected, got);
        }
    }

    private static IncidentFilter Filtered(Action<IncidentFilter> set)
    {
        var f = new IncidentFilter();
        set(f);
        return f;
    }
}

public sealed class IncidentsApiSqliteTests(SqliteApiFactory f) : IncidentsApiTests(f), IClassFixture<SqliteApiFactory>;

public sealed class IncidentsApiPostgresTests(PostgresApiFactory f) : IncidentsApiTests(f), IClassFixture<PostgresApiFactory>;

/// <summary>SQLite with a tiny dense-scan window, so every area query crosses from the time-ordered scan to the spatial plan.</summary>
public sealed class IncidentsApiSqliteSplitScanTests(SqliteSplitScanApiFactory f) : IncidentsApiTests(f), IClassFixture<SqliteSplitScanApiFactory>;

public sealed class SqliteSplitScanApiFactory : HaloApiFactory
{
    public SqliteSplitScanApiFactory() : base(DbProvider.Sqlite) => With("Incidents:DenseScanRows", "23");
}
