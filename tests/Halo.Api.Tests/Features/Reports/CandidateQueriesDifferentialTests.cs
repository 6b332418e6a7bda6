using Halo.Api.Data;
using Halo.Api.Features.Geo;
using Halo.Api.Features.Incidents;
using Halo.Api.Features.Reports;
using Halo.Api.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Halo.Api.Tests.Features.Reports;

/// <summary>
/// A submission's candidate reads exist twice: LINQ (<see cref="CandidateQueries"/>, the definition; what SQLite runs, with
/// its index hints) and SQL sent in the lock's round trip (<see cref="PostgresSubmissionReads"/>). The same rows go into a
/// SQLite store and a PostgreSQL store, and for many report points and reporters all three forms must return the same
/// candidates, flags and stored rows: SQLite's LINQ, the LINQ definition on PostgreSQL, and PostgreSQL's SQL.
/// </summary>
public sealed class CandidateQueriesDifferentialTests(SqliteApiFactory sqlite, PostgresApiFactory postgres)
    : IClassFixture<SqliteApiFactory>, IClassFixture<PostgresApiFactory>
{
    private static readonly DateTime T = new(2025, 3, 14, 12, 0, 0, DateTimeKind.Utc);
    private const double Lat = 61.2, Lon = 15.3; // away from other tests' places

    private static readonly string?[] Networks = ["net-a", "net-b", null];
    private static readonly string?[] Users = [Guid.NewGuid().ToString(), null];

    private sealed record Rows(List<Incident> Incidents, List<ReportCluster> Clusters, List<CitizenReport> Reports);

    /// <summary>Officials of every kind the filter cares about, and citizen clusters with reports from a small pool of reporters.</summary>
    private static Rows MakeRows()
    {
        var rng = new Random(19);
        var incidents = new List<Incident>();
        var clusters = new List<ReportCluster>();
        var reports = new List<CitizenReport>();
        string[] statuses = [IncidentStatus.Active, IncidentStatus.Unverified, IncidentStatus.Rejected, IncidentStatus.Deleted];
        double[] precisions = [10, 800, 20_000, 200_000];
        string[] sources = [IncidentSources.Polisen, "import:x", IncidentSources.Staff, IncidentSources.Citizen];
        DateTime At(int maxHours) => T.AddSeconds(rng.Next(-maxHours * 3600, maxHours * 3600)); // whole seconds: exact on both stores
        for (var n = 0; n < 80; n++)
        {
            var (lat, lon) = TestIncidents.Offset(Lat, Lon, rng.NextDouble() * 40_000, rng.NextDouble() * 360);
            var i = TestIncidents.Make(sources[n % 4], lat, lon, At(40), n % 3 == 0 ? "violence" : "theft", isIncident: n % 7 != 0,
                status: statuses[rng.Next(statuses.Length)]);
            i.LocationPrecisionM = precisions[rng.Next(precisions.Length)];
            i.CitizenCorroborations = rng.Next(4);
            i.HasCitizenMedia = rng.Next(2) == 0;
            incidents.Add(i);
        }
        var officials = incidents.Where(i => i.Source != IncidentSources.Citizen).ToList();
        for (var n = 0; n < 50; n++)
        {
            var (clat, clon) = TestIncidents.Offset(Lat, Lon, rng.NextDouble() * 4_000, rng.NextDouble() * 360);
            var cell = PublicPosition.Describe(GeoCells.Cell(clat, clon, 8));
            var i = TestIncidents.Make(IncidentSources.Citizen, cell.Latitude, cell.Longitude, At(30), n % 2 == 0 ? "theft" : "violence",
                verified: n % 3 == 0, status: statuses[1 + rng.Next(3)]);
            i.LocationPrecisionM = cell.PrecisionM;
            i.Summary = n % 5 == 0 ? null : $"{n} citizen reports";
            i.HasCitizenMedia = n % 4 == 0;
            incidents.Add(i);
            clusters.Add(new ReportCluster
            {
                IncidentId = i.Id, CentroidLatitude = clat, CentroidLongitude = clon, ReportCount = 1 + n % 3, UniqueReporters = 1 + n % 2,
                HasMedia = n % 4 == 0, ModeratorVerified = n % 6 == 0, CreatedAt = T, UpdatedAt = T,
                // One cluster per official incident at most (the unique index).
                OfficialIncidentId = n < officials.Count && n % 2 == 1 ? officials[n].Id : null,
            });
            for (var k = 0; k < 1 + n % 3; k++)
                reports.Add(new CitizenReport
                {
                    Id = Guid.NewGuid(), IncidentId = i.Id, DeviceHash = $"dev-{rng.Next(6)}-{k}", NetworkHash = Networks[rng.Next(Networks.Length)],
                    UserId = Users[rng.Next(Users.Length)], Category = i.Category, Latitude = clat, Longitude = clon, H3Res9 = GeoCells.Cell(clat, clon, 9),
                    OccurredAt = i.OccurredAt, SubmittedAt = T,
                });
        }
        return new Rows(incidents, clusters, reports);
    }

    private static async Task SeedAsync(HaloApiFactory factory, Rows rows)
    {
        await using var scope = factory.Scope();
        var db = scope.ServiceProvider.GetRequiredService<HaloDbContext>();
        if (await db.Incidents.AnyAsync()) return;
        db.AddRange(rows.Incidents);
        db.AddRange(rows.Clusters);
        db.AddRange(rows.Reports);
        await db.SaveChangesAsync();
    }

    private static IEnumerable<ValidReport> Reporters()
    {
        var rng = new Random(23);
        for (var n = 0; n < 40; n++)
        {
            var (lat, lon) = TestIncidents.Offset(Lat, Lon, rng.NextDouble() * 5_000, rng.NextDouble() * 360);
            var at = T.AddSeconds(rng.Next(-30 * 3600, 30 * 3600));
            yield return new ValidReport(n % 2 == 0 ? "theft" : "violence", null, null, null, lat, lon, null, at, null, $"dev-{rng.Next(6)}-0", [], null)
            {
                NetworkHash = Networks[rng.Next(Networks.Length)],
                UserId = Users[rng.Next(Users.Length)] is { } u ? Guid.Parse(u) : null,
            };
        }
    }

    [Fact]
    public async Task TheCandidateReadsOfBothProvidersReturnTheSameRowsForTheSameData()
    {
        var rows = MakeRows();
        await SeedAsync(sqlite, rows);
        await SeedAsync(postgres, rows);
        var o = sqlite.Services.GetRequiredService<IOptions<ReportsOptions>>().Value;
        var nonEmpty = 0;
        foreach (var r in Reporters())
        {
            var onSqlite = await sqlite.WithDb(async db =>
                (await CandidateQueries.OfficialsAsync(db, r.Point, o, default), await CandidateQueries.CitizensAsync(db, r.Point, r, o, default)));
            var definitionOnPostgres = await postgres.WithDb(async db =>
                (await CandidateQueries.OfficialsAsync(db, r.Point, o, default), await CandidateQueries.CitizensAsync(db, r.Point, r, o, default)));
            // With the submission's own lock statements in front, in a transaction, as a submission sends them.
            var sqlOnPostgres = await postgres.WithDb(db => InTransaction(db, () =>
                PostgresSubmissionReads.LockAndReadAsync(db, ClusterLock.SubmissionKeys(r.Latitude, r.Longitude, o.CandidateRadiusM), r.Point, r, o, default)));
            foreach (var (label, officials, citizens) in new[] { ("LINQ on PostgreSQL", definitionOnPostgres.Item1, definitionOnPostgres.Item2),
                         ("SQL on PostgreSQL", sqlOnPostgres.Item1, sqlOnPostgres.Item2) })
            {
                Assert.True(Sorted(onSqlite.Item1).SequenceEqual(Sorted(officials)), $"{label}: official candidates differ for {r.Point}");
                Assert.True(Sorted(onSqlite.Item2).SequenceEqual(Sorted(citizens)), $"{label}: citizen candidates differ for {r.Point}");
            }
            if (onSqlite.Item1.Count > 0 && onSqlite.Item2.Count > 0) nonEmpty++;
        }
        // The data must exercise the queries: most points see candidates of both kinds.
        Assert.True(nonEmpty >= 10, $"only {nonEmpty} points had candidates of both kinds");
    }

    [Fact]
    public async Task TheLinkedClusterReadsOfBothProvidersReturnTheSameRowsForTheSameData()
    {
        var rows = MakeRows();
        await SeedAsync(sqlite, rows);
        await SeedAsync(postgres, rows);
        var officials = rows.Incidents.Where(i => i.Source != IncidentSources.Citizen).Select(i => i.Id).Append(Guid.NewGuid()).ToList();
        var linkedSeen = 0;
        foreach (var r in Reporters().Take(6))
            foreach (var official in officials)
                foreach (var withCounters in new[] { true, false })
                {
                    var onSqlite = await sqlite.WithDb(db => CandidateQueries.LinkedAsync(db, official, r, withCounters, default));
                    var definitionOnPostgres = await postgres.WithDb(db => CandidateQueries.LinkedAsync(db, official, r, withCounters, default));
                    var sqlOnPostgres = await postgres.WithDb(db => InTransaction(db, () =>
                        PostgresSubmissionReads.LockAndReadLinkedAsync(db, official, r, withCounters, default)));
                    Assert.Equal(onSqlite, definitionOnPostgres);
                    Assert.Equal(onSqlite, sqlOnPostgres);
                    if (onSqlite.Cluster is not null) linkedSeen++;
                }
        Assert.True(linkedSeen > 0);
    }

    private static Task<T> InTransaction<T>(HaloDbContext db, Func<Task<T>> read) =>
        db.Database.CreateExecutionStrategy().ExecuteAsync(async () =>
        {
            await using var tx = await db.Database.BeginTransactionAsync();
            return await read();
        });

    private static List<T> Sorted<T>(List<T> items) where T : notnull => items.OrderBy(x => x.ToString(), StringComparer.Ordinal).ToList();
}
