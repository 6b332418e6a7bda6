using Halo.Api.Features.Geo;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Halo.Api.Features.Incidents;
using Halo.Api.Features.Reports;
using Halo.Api.Infrastructure.Idempotency;
using Halo.Api.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using static Halo.Api.Tests.Features.Reports.ReportTestHelpers;

namespace Halo.Api.Tests.Features.Reports;

/// <summary>Submission, clustering, idempotency and the read endpoints, once per provider.</summary>
public abstract class ReportsApiTests(HaloApiFactory factory)
{
    private readonly HttpClient _client = factory.CreateClient();

    [Fact]
    public async Task FirstReportStartsAnUnverifiedClusterAndASecondDeviceCorroboratesIt()
    {
        var (lat, lon) = NewPlace();
        var t = factory.Now().AddMinutes(-20);
        var first = await _client.SubmitOk(Body(NewDevice(), lat, lon, t));
        Assert.True(first.IsNewIncident);
        Assert.Equal(1, first.ReportCount);
        Assert.Equal(1, first.UniqueReporters);
        Assert.Equal(0.5, first.ClusterConfidence);
        Assert.False(first.IsVerified);
        Assert.Equal("unverified", first.Verification);
        Assert.Null(first.MatchedOfficialIncidentId);
        Assert.NotEqual(first.ReportId, first.IncidentId);

        var (lat2, lon2) = TestIncidents.Offset(lat, lon, 150, 45);
        var second = await _client.SubmitOk(Body(NewDevice(), lat2, lon2, t.AddMinutes(10), "vandalism"));
        Assert.False(second.IsNewIncident);
        Assert.Equal(first.IncidentId, second.IncidentId);
        Assert.Equal(2, second.ReportCount);
        Assert.Equal(2, second.UniqueReporters);
        Assert.Equal(0.6667, second.ClusterConfidence);
        Assert.True(second.IsVerified);
        Assert.Equal("corroborated", second.Verification);

        // Far away, or a day later: new clusters.
        var (lat3, lon3) = TestIncidents.Offset(lat, lon, 2_500, 0);
        Assert.True((await _client.SubmitOk(Body(NewDevice(), lat3, lon3, t))).IsNewIncident);
        Assert.True((await _client.SubmitOk(Body(NewDevice(), lat, lon, t.AddDays(-1).AddMinutes(-5)))).IsNewIncident);

        var row = await factory.WithDb(db => db.Incidents.AsNoTracking().SingleAsync(i => i.Id == first.IncidentId));
        Assert.Equal(IncidentSources.Citizen, row.Source);
        Assert.Equal(IncidentStatus.Corroborated, row.Status);
        Assert.True(row.IsVerified);
    }

    [Fact]
    public async Task ReportMatchingAnOfficialIncidentGetsItsOwnClusterLinkedToIt()
    {
        var (lat, lon) = NewPlace();
        var official = TestIncidents.Make(TestIncidents.NewSource(), lat, lon, factory.Now().AddMinutes(-40), "robbery", 4);
        await factory.WithDb(db => { db.Incidents.Add(official); return db.SaveChangesAsync(); });

        var r = await _client.SubmitOk(Body(NewDevice(), lat, lon, factory.Now().AddMinutes(-30), "robbery"));
        Assert.Equal(official.Id, r.MatchedOfficialIncidentId);
        Assert.NotEqual(official.Id, r.IncidentId);
        Assert.True(r.IsNewIncident);
        Assert.Equal("cross_validated", r.Verification);
        Assert.True(r.IsVerified);

        var r2 = await _client.SubmitOk(Body(NewDevice(), lat, lon, factory.Now().AddMinutes(-25), "robbery"));
        Assert.Equal(r.IncidentId, r2.IncidentId);
        Assert.Equal(official.Id, r2.MatchedOfficialIncidentId);
        Assert.Equal(2, r2.ReportCount);

        var after = await factory.WithDb(db => db.Incidents.AsNoTracking().SingleAsync(i => i.Id == official.Id));
        Assert.Equal(2, after.CitizenCorroborations);
        Assert.Equal(official.Title, after.Title);
        Assert.Equal(official.Summary, after.Summary);
        Assert.Equal(official.Latitude, after.Latitude);

        // The cluster endpoint answers for both ids with the same cluster.
        var byCluster = await _client.Cluster(r.IncidentId);
        var byOfficial = await _client.Cluster(official.Id);
        Assert.Equal(r.IncidentId, byOfficial!.IncidentId);
        Assert.Equal(official.Id, byCluster!.MatchedOfficialIncidentId);
        Assert.Equal(2, byCluster.Reports.Count);
    }

    [Fact]
    public async Task SameKeyAndBodyReplaysTheFirstResponseWithItsStatus()
    {
        var (lat, lon) = NewPlace();
        var key = Guid.NewGuid().ToString();
        var body = Body(NewDevice(), lat, lon, factory.Now().AddMinutes(-5));
        var first = await _client.SubmitRaw(body, key);
        var replay = await _client.SubmitRaw(body, key);
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.Created, replay.StatusCode);
        Assert.Equal(await first.Content.ReadAsStringAsync(), await replay.Content.ReadAsStringAsync());
        Assert.Equal("true", replay.Headers.GetValues("Idempotent-Replayed").Single());
        var id = (await first.ReadAsync<SubmitReportResponse>()).ReportId;
        Assert.Equal(1, await factory.WithDb(db => db.Set<CitizenReport>().CountAsync(r => r.Id == id)));

        // A validation failure is replayed too (same status, same body), and stores nothing.
        var badKey = Guid.NewGuid().ToString();
        var bad = Body(NewDevice(), 123, lon, factory.Now());
        var b1 = await _client.SubmitRaw(bad, badKey);
        var b2 = await _client.SubmitRaw(bad, badKey);
        Assert.Equal(HttpStatusCode.BadRequest, b1.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, b2.StatusCode);
        Assert.Equal(await b1.Content.ReadAsStringAsync(), await b2.Content.ReadAsStringAsync());

        // Still replayed a week later.
        factory.Clock.Advance(TimeSpan.FromDays(7));
        var week = await _client.SubmitRaw(body, key);
        Assert.Equal(HttpStatusCode.Created, week.StatusCode);
        Assert.Equal(await first.Content.ReadAsStringAsync(), await week.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task SameKeyWithAnotherBodyGets422()
    {
        var (lat, lon) = NewPlace();
        var key = Guid.NewGuid().ToString();
        await _client.SubmitOk(Body(NewDevice(), lat, lon, factory.Now().AddMinutes(-5)), key);
        var other = await _client.SubmitRaw(Body(NewDevice(), lat, lon, factory.Now().AddMinutes(-6)), key);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, other.StatusCode);
        Assert.Equal("application/problem+json", other.Content.Headers.ContentType!.MediaType);
    }

    [Fact]
    public async Task KeyWhoseFirstRequestIsStillRunningGets409UntilItIsStale()
    {
        var (lat, lon) = NewPlace();
        var key = Guid.NewGuid().ToString();
        var body = Body(NewDevice(), lat, lon, factory.Now().AddMinutes(-5));
        var hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(body)));
        // The first request has claimed the key and is still working (as a concurrent request would have).
        await factory.WithDb(db =>
        {
            db.Add(new IdempotencyRecord
            {
                Scope = ReportsEndpoints.IdempotencyScope, Key = key, RequestHash = hash, Attempt = Guid.NewGuid(),
                CreatedAt = factory.Now(),
            });
            return db.SaveChangesAsync();
        });
        var res = await _client.SubmitRaw(body, key);
        Assert.Equal(HttpStatusCode.Conflict, res.StatusCode);
        Assert.Contains("in progress", await res.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);

        // Its process died: after Reports:IdempotencyStaleSeconds the retry runs.
        factory.Clock.Advance(TimeSpan.FromMinutes(3));
        var retry = await _client.SubmitRaw(body, key);
        Assert.Equal(HttpStatusCode.Created, retry.StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await _client.SubmitRaw(body, key)).StatusCode);
    }

    [Fact]
    public async Task ConcurrentRequestsWithOneKeyRunOnce()
    {
        var (lat, lon) = NewPlace();
        var key = Guid.NewGuid().ToString();
        var body = Body(NewDevice(), lat, lon, factory.Now().AddMinutes(-5));
        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => _client.SubmitRaw(body, key)));
        Assert.All(results, r => Assert.True(r.StatusCode is HttpStatusCode.Created or HttpStatusCode.Conflict, r.StatusCode.ToString()));
        Assert.Contains(results, r => r.StatusCode == HttpStatusCode.Created);
        Assert.Equal(1, await factory.WithDb(db => db.Set<CitizenReport>().CountAsync(r => r.Latitude == lat && r.Longitude == lon)));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("has space")]
    public async Task MissingOrMalformedIdempotencyKeyIs400(string? key)
    {
        var (lat, lon) = NewPlace();
        var req = new HttpRequestMessage(HttpMethod.Post, "/api/v1/reports/submit")
        {
            Content = new StringContent(Body(NewDevice(), lat, lon, factory.Now()), System.Text.Encoding.UTF8, "application/json"),
        };
        if (key is not null) req.Headers.TryAddWithoutValidation("Idempotency-Key", key);
        var res = await _client.SendAsync(req);
        Assert.Equal(HttpStatusCode.BadRequest, res.StatusCode);
        Assert.Equal(0, await factory.WithDb(db => db.Set<CitizenReport>().CountAsync(r => r.Latitude == lat)));
    }

    [Fact]
    public async Task SecondReportFromTheSameDeviceInTheClusterGets409WithTheExistingReport()
    {
        var (lat, lon) = NewPlace();
        var device = NewDevice();
        var first = await _client.SubmitOk(Body(device, lat, lon, factory.Now().AddMinutes(-10)));
        var again = await _client.SubmitRaw(Body(device, lat, lon, factory.Now().AddMinutes(-8), description: "again"));
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        var problem = await again.ReadAsync<DuplicateReportProblem>();
        Assert.Equal(first.ReportId, problem.ReportId);
        Assert.Equal(first.IncidentId, problem.IncidentId);
        Assert.Equal(1, (await _client.Cluster(first.IncidentId))!.ReportCount);
        // The same device may report another event.
        var (lat2, lon2) = TestIncidents.Offset(lat, lon, 3_000, 90);
        Assert.Equal(HttpStatusCode.Created, (await _client.SubmitRaw(Body(device, lat2, lon2, factory.Now()))).StatusCode);
    }

    [Fact]
    public async Task HundredSimultaneousReportsOfOneEventEndAsOneClusterWithExactCounts()
    {
        var (lat, lon) = NewPlace();
        var t = factory.Now().AddMinutes(-15);
        var rng = new Random(11);
        var bodies = Enumerable.Range(0, 100).Select(n =>
        {
            var (la, lo) = TestIncidents.Offset(lat, lon, rng.NextDouble() * 150, rng.NextDouble() * 360);
            return Body(NewDevice(), la, lo, t.AddSeconds(n));
        }).ToList();
        // And one device sending ten different reports of it at once: exactly one may count.
        var device = NewDevice();
        var same = Enumerable.Range(0, 10).Select(n => Body(device, lat, lon, t.AddSeconds(n))).ToList();

        var responses = await Task.WhenAll(bodies.Concat(same).Select(b => _client.SubmitRaw(b)));

        var created = new List<SubmitReportResponse>();
        foreach (var r in responses)
        {
            Assert.True(r.StatusCode is HttpStatusCode.Created or HttpStatusCode.Conflict, $"{r.StatusCode}: {await r.Content.ReadAsStringAsync()}");
            if (r.StatusCode == HttpStatusCode.Created) created.Add(await r.ReadAsync<SubmitReportResponse>());
        }
        Assert.Equal(101, created.Count);
        Assert.Single(created.Select(c => c.IncidentId).Distinct());
        Assert.Single(created, c => c.IsNewIncident);
        Assert.Equal(Enumerable.Range(1, 101), created.Select(c => c.ReportCount).Order());

        var clusterId = created[0].IncidentId;
        var cluster = await _client.Cluster(clusterId);
        Assert.Equal(101, cluster!.ReportCount);
        Assert.Equal(101, cluster.UniqueReporters);
        Assert.Equal(101, cluster.Reports.Count);
        var rows = await factory.WithDb(db => db.Set<CitizenReport>().Where(r => r.IncidentId == clusterId)
            .Select(r => r.DeviceHash).ToListAsync());
        Assert.Equal(101, rows.Count);
        Assert.Equal(101, rows.Distinct().Count());
    }

    [Fact]
    public async Task StatsEndpointsMatchADirectQueryOfTheRows()
    {
        var (lat, lon) = NewPlace();
        var t = factory.Now().AddMinutes(-30);
        await _client.SubmitOk(Body(NewDevice(), lat, lon, t));
        await _client.SubmitOk(Body(NewDevice(), lat, lon, t));
        await _client.SubmitOk(Body(NewDevice(), lat, lon, t));
        var (lat2, lon2) = TestIncidents.Offset(lat, lon, 4_000, 0);
        await _client.SubmitOk(Body(NewDevice(), lat2, lon2, t, "fire"));
        var official = TestIncidents.Make(TestIncidents.NewSource(), lat, lon, t, "theft");
        var (lat3, lon3) = TestIncidents.Offset(lat, lon, 8_000, 180);
        var lonely = TestIncidents.Make(TestIncidents.NewSource(), lat3, lon3, t, "fraud");
        await factory.WithDb(db => { db.Incidents.AddRange(official, lonely); return db.SaveChangesAsync(); });
        var (lat4, lon4) = TestIncidents.Offset(lat3, lon3, 100, 0);
        await _client.SubmitOk(Body(NewDevice(), lat4, lon4, t, "fraud")); // cross-validated against `lonely`

        var stats = await _client.GetFromJsonAsync<ReportStats>("/api/v1/reports/stats", Json.Options);
        var cross = await _client.GetFromJsonAsync<CrossSourceStats>("/api/v1/reports/cross-source-stats", Json.Options);
        var now = factory.Now();

        await factory.WithDb(async db =>
        {
            var reports = await db.Set<CitizenReport>().AsNoTracking().Select(r => new { r.IncidentId, r.DeviceHash }).ToListAsync();
            var incidents = await db.Incidents.AsNoTracking().ToListAsync();
            var clusters = await db.Set<ReportCluster>().AsNoTracking().ToListAsync();
            var visibleClusters = incidents.Where(i => i.Source == IncidentSources.Citizen && clusters.Any(c => c.IncidentId == i.Id)
                && i.Status is not (IncidentStatus.Rejected or IncidentStatus.Deleted)).ToList();
            var reportersPer = visibleClusters.Select(i => reports.Where(r => r.IncidentId == i.Id).Select(r => r.DeviceHash).Distinct().Count()).ToList();
            Assert.Equal(visibleClusters.Count(i => i.IsVerified), stats!.VerifiedIncidents);
            Assert.Equal(visibleClusters.Count(i => i.Status == IncidentStatus.Unverified), stats.UnverifiedIncidents);
            Assert.Equal(reportersPer.Max(), stats.MaxReportersSingleIncident);
            Assert.Equal(Math.Round(reportersPer.Average(), 2), stats.AvgReportersPerIncident);
            Assert.Equal(reports.Count(r => visibleClusters.Any(c => c.Id == r.IncidentId)), stats.TotalReports);

            var from = now.AddDays(-30);
            var inWindow = incidents.Where(i => i.IsIncident && i.OccurredAt >= from && i.OccurredAt <= now
                && i.Status is not (IncidentStatus.Rejected or IncidentStatus.Deleted)).ToList();
            var linked = clusters.Where(c => c.OfficialIncidentId is not null
                && incidents.Single(i => i.Id == c.IncidentId).Status is not (IncidentStatus.Rejected or IncidentStatus.Deleted))
                .Select(c => c.OfficialIncidentId!.Value).ToHashSet();
            var officials = inWindow.Where(i => i.Source != IncidentSources.Citizen).ToList();
            var expectedCross = officials.Count(i => linked.Contains(i.Id));
            var expectedUser = inWindow.Count(i => i.Source == IncidentSources.Citizen
                && !clusters.Any(c => c.IncidentId == i.Id && c.OfficialIncidentId is not null));
            Assert.Equal(expectedCross, cross!.CrossValidated);
            Assert.Equal(officials.Count - expectedCross, cross.OfficialOnly);
            Assert.Equal(expectedUser, cross.UserOnly);
            Assert.Equal(officials.Count + expectedUser, cross.TotalIncidents);
            Assert.Equal(Math.Round(100.0 * expectedCross / (expectedUser + expectedCross), 1), cross.ValidationRatePercent);
            Assert.True(expectedCross >= 1 && expectedUser >= 2, "the sample must hold both kinds");
            Assert.Contains($"{cross.CrossValidated} reported by both", cross.Description);
            return 0;
        });

        var bad = await _client.GetAsync("/api/v1/reports/cross-source-stats?days=abc");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
    }

    [Fact]
    public async Task PublicResponsesNeverContainTheDeviceIdAndUnverifiedLocationIsCoarsened()
    {
        var (lat, lon) = (NewPlace().Lat + 0.000123, NewPlace().Lon + 0.000456);
        var device = NewDevice();
        var hash = await factory.WithDb(db => Task.FromResult(factory.Services.GetRequiredServiceOf<DeviceIdentity>().Hash(device)));
        var sensors = new Dictionary<string, object?>
        {
            ["accelerometer"] = new Dictionary<string, object?> { ["peak_g"] = 2.5, ["jerk"] = 40.0, ["impact_detected"] = true },
            ["audio"] = new Dictionary<string, object?> { ["peak_dbfs"] = -3.0, ["mean_dbfs"] = -20.0 },
            ["gps_track"] = new[]
            {
                new Dictionary<string, object?> { ["latitude"] = lat, ["longitude"] = lon, ["timestamp"] = "2025-03-14T11:50:00Z" },
                new Dictionary<string, object?> { ["latitude"] = lat + 0.0005, ["longitude"] = lon, ["timestamp"] = "2025-03-14T11:50:30Z" },
            },
        };
        var submit = await _client.SubmitRaw(Body(device, lat, lon, factory.Now().AddMinutes(-9), sensors: sensors));
        var submitJson = await submit.ReadJsonAsync();
        var r = submitJson.Deserialize<SubmitReportResponse>(Json.Options)!;

        var cluster = await _client.GetAsync($"/api/v1/reports/cluster/{r.IncidentId}");
        var clusterJson = await cluster.ReadJsonAsync();
        var incident = await (await _client.GetAsync($"/api/v1/incidents/{r.IncidentId}")).ReadJsonAsync();
        var list = await (await _client.GetAsync("/api/v1/incidents?source=citizen&limit=500")).ReadJsonAsync();
        var moderator = await factory.CreateClientAsAsync(Halo.Api.Features.Auth.Roles.Moderator);
        var queue = await (await moderator.GetAsync("/api/v1/moderation/queue?limit=200")).ReadJsonAsync();
        foreach (var doc in new[] { submitJson, clusterJson, incident, list, queue })
        foreach (var s in Strings(doc))
        {
            Assert.DoesNotContain(device, s, StringComparison.Ordinal);
            Assert.DoesNotContain(hash, s, StringComparison.Ordinal);
        }
        Assert.StartsWith("r_", r.ReporterId);
        Assert.True(r.ReporterId.Length <= 16);

        var dto = clusterJson.Deserialize<ClusterDto>(Json.Options)!;
        // One witness: published as the centre of its resolution-7 cell (Reports:SparsePublicResolution).
        var (clat, clon) = GeoCells.Centre(GeoCells.Cell(dto.Latitude, dto.Longitude, 7));
        Assert.Equal((clat, clon), (dto.Latitude, dto.Longitude));
        Assert.True(Haversine.DistanceM(lat, lon, clat, clon) < dto.LocationPrecisionM);
        Assert.True(dto.LocationPrecisionM > 1_000);
        Assert.NotEqual(lat, dto.Latitude);
        Assert.Equal(clat, incident.GetProperty("latitude").GetDouble(), 6);

        // The GPS track is kept only as a summary.
        var stored = await factory.WithDb(db => db.Set<CitizenReport>().AsNoTracking().SingleAsync(x => x.Id == r.ReportId));
        Assert.Equal(hash, stored.DeviceHash);
        Assert.DoesNotContain(lat.ToString(System.Globalization.CultureInfo.InvariantCulture)[..7], stored.SensorsJson!);
        var summary = JsonSerializer.Deserialize<SensorSummary>(stored.SensorsJson!, Json.Options)!;
        Assert.Equal(2, summary.GpsPoints);
        Assert.InRange(summary.GpsDistanceM!.Value, 50, 60);
        Assert.Equal(30, summary.GpsDurationS);

        // The same device in another cluster has an unrelated reporter id.
        var (lat2, lon2) = TestIncidents.Offset(lat, lon, 5_000, 0);
        var other = await _client.SubmitOk(Body(device, lat2, lon2, factory.Now()));
        Assert.NotEqual(r.ReporterId, other.ReporterId);
    }

    [Fact]
    public async Task VerifiedCitizenIncidentsAppearInTheIncidentsListAsCitizen()
    {
        var (lat, lon) = NewPlace();
        var a = await _client.SubmitOk(Body(NewDevice(), lat, lon, factory.Now().AddMinutes(-12), "fire"));
        var verifiedOnly = $"/api/v1/incidents?source=citizen&verified_only=true&lat={lat.ToString(System.Globalization.CultureInfo.InvariantCulture)}&lon={lon.ToString(System.Globalization.CultureInfo.InvariantCulture)}&radius_km=1";
        Assert.Equal(0, (await _client.GetFromJsonAsync<IncidentPage>(verifiedOnly, Json.Options))!.Count);
        await _client.SubmitOk(Body(NewDevice(), lat, lon, factory.Now().AddMinutes(-11), "fire"));
        var page = await _client.GetFromJsonAsync<IncidentPage>(verifiedOnly, Json.Options);
        var item = Assert.Single(page!.Items);
        Assert.Equal(a.IncidentId, item.Id);
        Assert.Equal("citizen", item.Source);
        Assert.Equal("corroborated", item.Status);
        Assert.True(item.IsVerified);
    }

    [Theory]
    [InlineData("{", "body")]
    [InlineData("{\"latitude\": \"59\"}", "body")]
    [InlineData("[]", "body")]
    [InlineData("{\"category\":\"theft\",\"latitude\":1e400,\"longitude\":18,\"occurred_at\":\"2025-03-14T11:00:00Z\",\"device_id\":\"abcdefgh1\"}", "latitude")]
    [InlineData("{\"category\":\"aliens\",\"latitude\":59,\"longitude\":18,\"occurred_at\":\"2025-03-14T11:00:00Z\",\"device_id\":\"abcdefgh1\"}", "category")]
    [InlineData("{\"category\":\"theft\",\"latitude\":91,\"longitude\":18,\"occurred_at\":\"2025-03-14T11:00:00Z\",\"device_id\":\"abcdefgh1\"}", "latitude")]
    [InlineData("{\"category\":\"theft\",\"latitude\":59,\"longitude\":18,\"occurred_at\":\"2030-01-01T00:00:00Z\",\"device_id\":\"abcdefgh1\"}", "occurred_at")]
    [InlineData("{\"category\":\"theft\",\"latitude\":59,\"longitude\":18,\"occurred_at\":\"2025-03-14T11:00:00Z\"}", "device_id")]
    [InlineData("{\"category\":\"theft\",\"latitude\":59,\"longitude\":18,\"occurred_at\":\"2025-03-14T11:00:00Z\",\"device_id\":\"abcdefgh1\",\"media_ids\":[\"6f9619ff-8b86-d011-b42d-00cf4fc964ff\"]}", "media_ids")]
    [InlineData("{\"category\":\"theft\",\"latitude\":59,\"longitude\":18,\"occurred_at\":\"2025-03-14T11:00:00Z\",\"device_id\":\"abcdefgh1\",\"ai_suggestion\":{\"category\":\"theft\",\"confidence\":7}}", "ai_suggestion.confidence")]
    [InlineData("{\"category\":\"theft\",\"latitude\":59,\"longitude\":18,\"occurred_at\":\"2025-03-14T11:00:00Z\",\"device_id\":\"abcdefgh1\",\"sensors\":{\"audio\":{\"peak_dbfs\":30}}}", "sensors.audio.peak_dbfs")]
    public async Task BadInputGetsA400NamingTheFieldAndStoresNothing(string json, string field)
    {
        var before = await factory.WithDb(db => db.Set<CitizenReport>().CountAsync());
        var res = await _client.SubmitRaw(json);
        Assert.Equal(HttpStatusCode.BadRequest, res.StatusCode);
        var problem = await res.ReadJsonAsync();
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
        Assert.Equal(before, await factory.WithDb(db => db.Set<CitizenReport>().CountAsync()));
    }

    [Fact]
    public async Task OversizedBodyIs413()
    {
        var (lat, lon) = NewPlace();
        var res = await _client.SubmitRaw(Body(NewDevice(), lat, lon, factory.Now(), description: new string('x', 70_000)));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, res.StatusCode);
    }

    [Fact]
    public async Task UnknownClusterIs404()
    {
        Assert.Equal(HttpStatusCode.NotFound, (await _client.GetAsync($"/api/v1/reports/cluster/{Guid.NewGuid()}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _client.GetAsync("/api/v1/reports/cluster/not-a-guid")).StatusCode);
    }
}

public sealed class ReportsApiSqliteTests(SqliteApiFactory f) : ReportsApiTests(f), IClassFixture<SqliteApiFactory>;

public sealed class ReportsApiPostgresTests(PostgresApiFactory f) : ReportsApiTests(f), IClassFixture<PostgresApiFactory>;

internal static class ServiceProviderExtensions
{
    public static T GetRequiredServiceOf<T>(this IServiceProvider sp) where T : notnull =>
        Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<T>(sp);
}
