using Microsoft.Extensions.DependencyInjection;
using Halo.Api.Features.Geo;
using Halo.Api.Features.Incidents;
using Halo.Api.Features.Reports;
using Halo.Api.Infrastructure.Idempotency;
using Halo.Api.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using static Halo.Api.Tests.Features.Reports.ReportTestHelpers;

namespace Halo.Api.Tests.Features.Reports;

/// <summary>
/// What a join writes to the cluster and its incident row, recomputed from the stored reports; once per provider.
/// (A join writes from the values read with the candidates, so a column it forgets or overwrites shows here.)
/// </summary>
public abstract class ReportClusterRowsTests(HaloApiFactory factory)
{
    private readonly HttpClient _client = factory.CreateClient();

    [Fact]
    public async Task JoinsLeaveTheClusterAndItsIncidentAsRecomputedFromTheirReports()
    {
        var (lat, lon) = NewPlace();
        var t = factory.Now().AddMinutes(-40);
        var first = await _client.SubmitOk(Body(NewDevice(), lat, lon, t, "theft", severity: 2));
        var created = await factory.WithDb(db => db.Incidents.AsNoTracking().SingleAsync(i => i.Id == first.IncidentId));
        Assert.Equal(IncidentStatus.Unverified, created.Status);

        var points = new[] { (60.0, 30.0), (120.0, 200.0), (40.0, 290.0) }.Select(p => TestIncidents.Offset(lat, lon, p.Item1, p.Item2)).ToList();
        var joins = new List<SubmitReportResponse>();
        for (var n = 0; n < points.Count; n++)
        {
            // Times before and after the first report, severities above and below it.
            var at = t.AddMinutes(n == 1 ? -20 : 5 + n);
            joins.Add(await _client.SubmitOk(Body(NewDevice(), points[n].Lat, points[n].Lon, at, "theft", severity: n == 0 ? 4 : 1)));
        }
        Assert.All(joins, j => Assert.Equal(first.IncidentId, j.IncidentId));
        Assert.Equal([2, 3, 4], joins.Select(j => j.ReportCount));

        await factory.WithDb(async db =>
        {
            var reports = await db.Set<CitizenReport>().AsNoTracking().Where(r => r.IncidentId == first.IncidentId).ToListAsync();
            var cluster = await db.Set<ReportCluster>().AsNoTracking().SingleAsync(c => c.IncidentId == first.IncidentId);
            var incident = await db.Incidents.AsNoTracking().SingleAsync(i => i.Id == first.IncidentId);

            Assert.Equal(4, reports.Count);
            Assert.Equal((4, 4), (cluster.ReportCount, cluster.UniqueReporters));
            Assert.Null(cluster.OfficialIncidentId);
            Assert.Equal(reports.Average(r => r.Latitude!.Value), cluster.CentroidLatitude, 9);
            Assert.Equal(reports.Average(r => r.Longitude!.Value), cluster.CentroidLongitude, 9);
            Assert.Equal(factory.Now(), cluster.UpdatedAt);

            // The incident: verified, at the published cell the witnesses support (never the centroid), earliest time,
            // highest severity; what a join never touches (title, source, category, creation time) is as the first report made it.
            Assert.Equal(IncidentStatus.Corroborated, incident.Status);
            Assert.True(incident.IsVerified);
            var published = factory.Services.GetRequiredService<PublicPosition>().Choose(first.IncidentId, reports.Select(r => r.H3Res9).ToList());
            Assert.Equal((published.Latitude, published.Longitude, published.PrecisionM), (incident.Latitude, incident.Longitude, incident.LocationPrecisionM));
            Assert.Equal(GeoCells.Centre(published.Cell), (incident.Latitude, incident.Longitude));
            Assert.Equal(GeoCells.Cell(incident.Latitude, incident.Longitude, GeoCells.FineResolution), incident.H3Res9);
            Assert.Equal(GeoCells.Cell(incident.Latitude, incident.Longitude, GeoCells.CoarseResolution), incident.H3Res7);
            Assert.Equal("4 citizen reports", incident.Summary);
            Assert.Equal(reports.Min(r => r.OccurredAt), incident.OccurredAt);
            Assert.Equal(4, incident.Severity);
            Assert.False(incident.HasCitizenMedia);
            Assert.Equal((created.Title, created.Source, created.Category, created.RawType, created.CreatedAt, created.PublishedAt),
                (incident.Title, incident.Source, incident.Category, incident.RawType, incident.CreatedAt, incident.PublishedAt));

            // Each response was stored for replay in the same transaction as its report.
            var records = await db.Set<IdempotencyRecord>().AsNoTracking().Where(r => r.Scope == ReportsEndpoints.IdempotencyScope).ToListAsync();
            foreach (var j in joins.Prepend(first))
                Assert.Contains(records, r => r.State == IdempotencyStates.Completed && r.StatusCode == 201 && r.ResponseBody!.Contains(j.ReportId.ToString()));
            return 0;
        });
    }
}

public sealed class ReportClusterRowsSqliteTests(SqliteApiFactory f) : ReportClusterRowsTests(f), IClassFixture<SqliteApiFactory>;

public sealed class ReportClusterRowsPostgresTests(PostgresApiFactory f) : ReportClusterRowsTests(f), IClassFixture<PostgresApiFactory>;
