using System.Net;
using Halo.Api.Features.Reports;
using Halo.Api.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using static Halo.Api.Tests.Features.Reports.ReportTestHelpers;

namespace Halo.Api.Tests.Features.Reports;

/// <summary>
/// Simultaneous submissions under the per-area cluster lock (ClusterLock), once per provider: reports of one event on
/// every side of a lock-cell corner, and one cluster written at once through the official incident's key from afar and
/// through the area lock nearby.
/// </summary>
public abstract class ReportLockingTests(HaloApiFactory factory)
{
    private readonly HttpClient _client = factory.CreateClient();

    /// <summary>A fresh test place snapped to a lock-cell corner, so its reports straddle four cells.</summary>
    private static (double Lat, double Lon) CellCorner()
    {
        var (lat, lon) = NewPlace();
        return (Math.Round(lat / ClusterLock.CellLatDegrees) * ClusterLock.CellLatDegrees,
            Math.Round(lon / ClusterLock.CellLonDegrees) * ClusterLock.CellLonDegrees);
    }

    private static async Task<List<SubmitReportResponse>> AllCreated(IEnumerable<HttpResponseMessage> responses)
    {
        var created = new List<SubmitReportResponse>();
        foreach (var r in responses)
        {
            Assert.True(r.StatusCode == HttpStatusCode.Created, $"{r.StatusCode}: {await r.Content.ReadAsStringAsync()}");
            created.Add(await r.ReadAsync<SubmitReportResponse>());
        }
        return created;
    }

    /// <summary>
    /// Submits as the app's outbox does: a 503 (the write queue was longer than the busy timeout, which a loaded
    /// machine reaches with 80 writers on SQLite) is retried after its Retry-After with the same Idempotency-Key.
    /// </summary>
    private async Task<HttpResponseMessage> SubmitAsAClient(string body)
    {
        var key = Guid.NewGuid().ToString("N");
        for (var attempt = 1; ; attempt++)
        {
            var res = await _client.SubmitRaw(body, key);
            if (res.StatusCode != HttpStatusCode.ServiceUnavailable || attempt == 5) return res;
            Assert.NotNull(res.Headers.RetryAfter?.Delta);
            await Task.Delay(res.Headers.RetryAfter!.Delta!.Value);
        }
    }

    private async Task AssertClusterExact(Guid clusterId, int reports)
    {
        var cluster = await _client.Cluster(clusterId);
        Assert.Equal(reports, cluster!.ReportCount);
        Assert.Equal(reports, cluster.UniqueReporters);
        var rows = await factory.WithDb(db => db.Set<CitizenReport>().Where(r => r.IncidentId == clusterId).Select(r => r.DeviceHash).ToListAsync());
        Assert.Equal(reports, rows.Count);
        Assert.Equal(reports, rows.Distinct().Count());
    }

    [Fact]
    public async Task SimultaneousReportsOfOneEventOnEverySideOfALockCellCornerEndAsOneCluster()
    {
        var (lat, lon) = CellCorner();
        var t = factory.Now().AddMinutes(-15);
        var rng = new Random(23);
        // Bearings round the compass: the reports fall in all four cells that meet at the corner.
        var points = Enumerable.Range(0, 80)
            .Select(n => TestIncidents.Offset(lat, lon, 20 + rng.NextDouble() * 130, n * 360.0 / 80)).ToList();
        Assert.Equal(4, points.Select(p => ClusterLock.SubmissionKeys(p.Lat, p.Lon, 0)[0]).Distinct().Count());
        var bodies = points.Select((p, n) => Body(NewDevice(), p.Lat, p.Lon, t.AddSeconds(n))).ToList();

        var created = await AllCreated(await Task.WhenAll(bodies.Select(SubmitAsAClient)));

        Assert.Single(created.Select(c => c.IncidentId).Distinct());
        Assert.Single(created, c => c.IsNewIncident);
        Assert.Equal(Enumerable.Range(1, 80), created.Select(c => c.ReportCount).Order());
        await AssertClusterExact(created[0].IncidentId, 80);
    }

    [Fact]
    public async Task OneClusterJoinedAtOnceThroughItsOfficialIncidentFromAfarAndAsANearbyClusterKeepsExactCounts()
    {
        // E: the cluster, at a cell corner. F: 5 km north, so F's candidate box and E's lock disjoint cells. One
        // official fire event located to an area covering both (centre halfway, 3 km precision), 20 h earlier:
        // a fire report anywhere in it scores 0.5 + 0.3·4/23 + 0.2 ≈ 0.75 > 0.7 against it; a fraud report ≈ 0.61 does not.
        var (lat, lon) = CellCorner();
        var (fLat, fLon) = TestIncidents.Offset(lat, lon, 5_000, 0);
        var (qLat, qLon) = TestIncidents.Offset(lat, lon, 2_500, 0);
        var t = factory.Now().AddMinutes(-15);
        var official = TestIncidents.Make(TestIncidents.NewSource(), qLat, qLon, t.AddHours(-20), "fire", 3);
        official.LocationPrecisionM = 3_000;
        await factory.WithDb(db => { db.Incidents.Add(official); return db.SaveChangesAsync(); });
        Assert.Empty(ClusterLock.SubmissionKeys(lat, lon, 2_150).Intersect(ClusterLock.SubmissionKeys(fLat, fLon, 2_150)));

        // The linked cluster at E, with enough nearby weight that the far reports cannot drag its centroid away from E.
        var seed = await _client.SubmitOk(Body(NewDevice(), lat, lon, t, "fire"));
        Assert.Equal(official.Id, seed.MatchedOfficialIncidentId);
        var clusterId = seed.IncidentId;
        var rng = new Random(29);
        for (var n = 0; n < 29; n++)
        {
            var (la, lo) = TestIncidents.Offset(lat, lon, rng.NextDouble() * 150, rng.NextDouble() * 360);
            Assert.Equal(clusterId, (await _client.SubmitOk(Body(NewDevice(), la, lo, t.AddSeconds(n), "fraud"))).IncidentId);
        }

        // At once: fire reports at F join through the official incident's key (the cluster is 5 km away, not a
        // candidate), fraud reports at E join it as a nearby citizen cluster under E's area lock.
        var far = Enumerable.Range(0, 6).Select(n =>
        {
            var (la, lo) = TestIncidents.Offset(fLat, fLon, rng.NextDouble() * 150, rng.NextDouble() * 360);
            return Body(NewDevice(), la, lo, t.AddSeconds(n), "fire");
        });
        var near = Enumerable.Range(0, 40).Select(n =>
        {
            var (la, lo) = TestIncidents.Offset(lat, lon, rng.NextDouble() * 150, rng.NextDouble() * 360);
            return Body(NewDevice(), la, lo, t.AddSeconds(n), "fraud");
        });
        var created = await AllCreated(await Task.WhenAll(far.Concat(near).Select(SubmitAsAClient)));

        Assert.All(created, c => Assert.Equal(clusterId, c.IncidentId));
        Assert.Equal(6, created.Count(c => c.MatchedOfficialIncidentId == official.Id));
        Assert.Equal(Enumerable.Range(31, 46), created.Select(c => c.ReportCount).Order());
        await AssertClusterExact(clusterId, 76);
        var after = await factory.WithDb(db => db.Incidents.AsNoTracking().SingleAsync(i => i.Id == official.Id));
        Assert.Equal(7, after.CitizenCorroborations);
    }

    [Fact]
    public async Task FirstReportsOfAnOfficialIncidentFromFarApartAtOnceShareOneLinkedCluster()
    {
        var (lat, lon) = CellCorner();
        var (fLat, fLon) = TestIncidents.Offset(lat, lon, 5_000, 0);
        var (qLat, qLon) = TestIncidents.Offset(lat, lon, 2_500, 0);
        var t = factory.Now().AddMinutes(-15);
        var official = TestIncidents.Make(TestIncidents.NewSource(), qLat, qLon, t.AddHours(-20), "fire", 3);
        official.LocationPrecisionM = 3_000;
        await factory.WithDb(db => { db.Incidents.Add(official); return db.SaveChangesAsync(); });

        var rng = new Random(31);
        var bodies = Enumerable.Range(0, 24).Select(n =>
        {
            var (cLat, cLon) = n % 2 == 0 ? (lat, lon) : (fLat, fLon);
            var (la, lo) = TestIncidents.Offset(cLat, cLon, rng.NextDouble() * 150, rng.NextDouble() * 360);
            return Body(NewDevice(), la, lo, t.AddSeconds(n), "fire");
        }).ToList();
        var created = await AllCreated(await Task.WhenAll(bodies.Select(SubmitAsAClient)));

        // One cluster for the official incident (the unique link), whichever side created it.
        Assert.Single(created.Select(c => c.IncidentId).Distinct());
        Assert.Single(created, c => c.IsNewIncident);
        Assert.Equal(Enumerable.Range(1, 24), created.Select(c => c.ReportCount).Order());
        await AssertClusterExact(created[0].IncidentId, 24);
        var cluster = await _client.Cluster(official.Id);
        Assert.Equal(created[0].IncidentId, cluster!.IncidentId);
        var after = await factory.WithDb(db => db.Incidents.AsNoTracking().SingleAsync(i => i.Id == official.Id));
        Assert.Equal(created.Count(c => c.MatchedOfficialIncidentId == official.Id), after.CitizenCorroborations);
    }
}

public sealed class ReportLockingSqliteTests(SqliteApiFactory f) : ReportLockingTests(f), IClassFixture<SqliteApiFactory>;

public sealed class ReportLockingPostgresTests(PostgresApiFactory f) : ReportLockingTests(f), IClassFixture<PostgresApiFactory>;
