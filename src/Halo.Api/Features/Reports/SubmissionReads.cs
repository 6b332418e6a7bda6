using Halo.Api.Data;
using Halo.Api.Features.Geo;
using Halo.Api.Features.Incidents;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Halo.Api.Features.Reports;

/// <summary>What a submission decides on: the candidates, read under the lock that keeps them current.</summary>
/// <param name="ReadLinkedAsync">
/// Reads the cluster linked to an official incident (official id, with the official row's counters?) under that
/// incident's key, which it takes first where keys are taken one by one (PostgreSQL under area locks).
/// </param>
public sealed record SubmissionCandidates(List<ClusterCandidate> Officials, List<CitizenCandidate> Citizens,
    Func<Guid, bool, CancellationToken, Task<LinkedCluster>> ReadLinkedAsync);

/// <summary>
/// The candidate reads of a report submission, one implementation per provider (chosen at registration): each runs the
/// decision in one transaction under <see cref="ClusterLock"/> with the candidates it read. The LINQ queries in
/// <see cref="CandidateQueries"/> are the definition; PostgreSQL sends the same queries as SQL in the lock's round trip,
/// and <c>CandidateQueriesDifferentialTests</c> runs both forms against the same rows.
/// </summary>
public abstract class SubmissionReads
{
    public abstract Task<T> RunAsync<T>(HaloDbContext db, ValidReport r, ReportsOptions o,
        Func<SubmissionCandidates, CancellationToken, Task<T>> decide, CancellationToken ct);
}

/// <summary>The candidate queries as LINQ: the definition, on either provider (index hints through <see cref="StoreDialect"/>).</summary>
public static class CandidateQueries
{
    public static async Task<List<ClusterCandidate>> OfficialsAsync(HaloDbContext db, ReportPoint p, ReportsOptions o, CancellationToken ct)
    {
        var (windowFrom, windowTo) = (p.OccurredAt.AddHours(-o.CandidateWindowHours), p.OccurredAt.AddHours(o.CandidateWindowHours));
        // Official events are located to an area: prefilter with the radius plus the largest area, score exactly after.
        var wide = Haversine.BoundingBox(p.Latitude, p.Longitude, o.CandidateRadiusM + o.MaxOfficialPrecisionM);
        // Walk the time index where the store takes hints: SQLite's planner would otherwise take the lat/lon index,
        // and a 150 km box around a city holds most of the table.
        return await db.Dialect.ThroughIndex<Incident>(db, "incidents", IncidentConfiguration.TimePositionIndex).AsNoTracking()
            .Where(i => i.Source != IncidentSources.Citizen && i.IsIncident
                && i.Status != IncidentStatus.Rejected && i.Status != IncidentStatus.Deleted
                && i.OccurredAt >= windowFrom && i.OccurredAt <= windowTo
                && i.Latitude >= wide.MinLat && i.Latitude <= wide.MaxLat && i.Longitude >= wide.MinLon && i.Longitude <= wide.MaxLon
                && i.LocationPrecisionM <= o.MaxOfficialPrecisionM)
            .Select(i => new ClusterCandidate(i.Id, true, i.Category, i.OccurredAt, i.Latitude, i.Longitude, i.LocationPrecisionM))
            .ToListAsync(ct);
    }

    public static async Task<List<CitizenCandidate>> CitizensAsync(HaloDbContext db, ReportPoint p, ValidReport r, ReportsOptions o, CancellationToken ct)
    {
        var (windowFrom, windowTo) = (p.OccurredAt.AddHours(-o.CandidateWindowHours), p.OccurredAt.AddHours(o.CandidateWindowHours));
        // The same box ClusterLock locks cell by cell: reading outside it would not be protected.
        var box = Haversine.BoundingBox(p.Latitude, p.Longitude, o.CandidateRadiusM);
        // Start from the centroid index where the store takes hints: SQLite's planner would otherwise walk every
        // incident in the ±24 h window (official ones too) and look each up among the clusters, inside the write gate.
        var clusters = db.Dialect.ThroughIndex<ReportCluster>(db, "report_clusters", ReportClusterConfiguration.CentroidIndex);
        // Null means unknown, never "the same as another unknown" (EF compares nulls as equal in C# terms).
        var (device, userId, network) = (r.DeviceHash, r.UserId?.ToString(), r.NetworkHash);
        return await (
                from c in clusters.AsNoTracking()
                join i in db.Incidents.AsNoTracking() on c.IncidentId equals i.Id
                where c.CentroidLatitude >= box.MinLat && c.CentroidLatitude <= box.MaxLat
                    && c.CentroidLongitude >= box.MinLon && c.CentroidLongitude <= box.MaxLon
                    && i.OccurredAt >= windowFrom && i.OccurredAt <= windowTo
                    && i.Status != IncidentStatus.Rejected && i.Status != IncidentStatus.Deleted
                select new CitizenCandidate(
                    new ClusterCandidate(i.Id, false, i.Category, i.OccurredAt, c.CentroidLatitude, c.CentroidLongitude, 0),
                    // The duplicate check rides along (one indexed probe per candidate) instead of costing a round trip.
                    db.Set<CitizenReport>().Any(x => x.IncidentId == c.IncidentId && x.DeviceHash == device),
                    db.Set<CitizenReport>().Any(x => x.IncidentId == c.IncidentId && (network != null && x.NetworkHash == network || userId != null && x.UserId == userId)),
                    new ClusterRow(c.OfficialIncidentId, c.ReportCount, c.UniqueReporters, c.HasMedia, c.ModeratorVerified, i.Status, i.Severity,
                        i.IsVerified, i.Latitude, i.Longitude, i.LocationPrecisionM, i.H3Res9, i.H3Res7, i.HasCitizenMedia, i.Summary)))
            .ToListAsync(ct);
    }

    public static async Task<LinkedCluster> LinkedAsync(HaloDbContext db, Guid official, ValidReport r, bool withCounters, CancellationToken ct)
    {
        var (device, userId, network) = (r.DeviceHash, r.UserId?.ToString(), r.NetworkHash);
        var row = await (
                from c in db.Set<ReportCluster>().AsNoTracking()
                join i in db.Incidents.AsNoTracking() on c.IncidentId equals i.Id
                where c.OfficialIncidentId == official
                select new CitizenCandidate(
                    new ClusterCandidate(i.Id, false, i.Category, i.OccurredAt, c.CentroidLatitude, c.CentroidLongitude, 0),
                    db.Set<CitizenReport>().Any(x => x.IncidentId == c.IncidentId && x.DeviceHash == device),
                    db.Set<CitizenReport>().Any(x => x.IncidentId == c.IncidentId && (network != null && x.NetworkHash == network || userId != null && x.UserId == userId)),
                    new ClusterRow(c.OfficialIncidentId, c.ReportCount, c.UniqueReporters, c.HasMedia, c.ModeratorVerified, i.Status, i.Severity,
                        i.IsVerified, i.Latitude, i.Longitude, i.LocationPrecisionM, i.H3Res9, i.H3Res7, i.HasCitizenMedia, i.Summary)))
            .FirstOrDefaultAsync(ct);
        if (!withCounters) return new LinkedCluster(row, null);
        var officialRow = await db.Incidents.AsNoTracking().Where(i => i.Id == official)
            .Select(i => new { i.CitizenCorroborations, i.HasCitizenMedia }).FirstOrDefaultAsync(ct);
        return new LinkedCluster(row, officialRow is null ? null : new OfficialCounters(officialRow.CitizenCorroborations, officialRow.HasCitizenMedia));
    }
}

/// <summary>
/// SQLite: every decision queues on one gate, so what need not be inside it stays outside. Submissions never change
/// what makes an official incident a candidate (only its counters), so those are read before the gate.
/// </summary>
public sealed class SqliteSubmissionReads(ClusterLock clusterLock) : SubmissionReads
{
    public override async Task<T> RunAsync<T>(HaloDbContext db, ValidReport r, ReportsOptions o,
        Func<SubmissionCandidates, CancellationToken, Task<T>> decide, CancellationToken ct)
    {
        var point = r.Point;
        var officials = await CandidateQueries.OfficialsAsync(db, point, o, ct);
        return await clusterLock.RunSubmissionAsync(db, [], async (_, token) =>
        {
            var citizens = await CandidateQueries.CitizensAsync(db, point, r, o, token);
            return await decide(new SubmissionCandidates(officials, citizens,
                (official, withCounters, t) => CandidateQueries.LinkedAsync(db, official, r, withCounters, t)), token);
        }, ct);
    }
}

/// <summary>
/// PostgreSQL: the area locks and both candidate queries in one batch, one round trip, since every round trip after
/// the lock is granted is spent holding it; the linked cluster likewise with the official incident's key. The SQL is
/// <see cref="CandidateQueries"/> written out; <c>CandidateQueriesDifferentialTests</c> keeps the two equal.
/// </summary>
public sealed class PostgresSubmissionReads(ClusterLock clusterLock) : SubmissionReads
{
    public override Task<T> RunAsync<T>(HaloDbContext db, ValidReport r, ReportsOptions o,
        Func<SubmissionCandidates, CancellationToken, Task<T>> decide, CancellationToken ct)
    {
        var point = r.Point;
        // The area keys; the lock goes out with the candidate reads, and the key of the official incident this report
        // joins (if any) is taken once it is known (see ClusterLock).
        var keys = ClusterLock.SubmissionKeys(r.Latitude, r.Longitude, o.CandidateRadiusM);
        return clusterLock.RunSubmissionAsync(db, keys, async (lockKeys, token) =>
        {
            if (lockKeys is null)
            {
                // A box too large to lock cell by cell: the whole-country lock is held already; read as defined.
                var officials = await CandidateQueries.OfficialsAsync(db, point, o, token);
                var citizens = await CandidateQueries.CitizensAsync(db, point, r, o, token);
                return await decide(new SubmissionCandidates(officials, citizens,
                    (official, withCounters, t) => CandidateQueries.LinkedAsync(db, official, r, withCounters, t)), token);
            }
            var (lockedOfficials, lockedCitizens) = await LockAndReadAsync(db, lockKeys, point, r, o, token);
            return await decide(new SubmissionCandidates(lockedOfficials, lockedCitizens,
                (official, withCounters, t) => LockAndReadLinkedAsync(db, official, r, withCounters, t)), token);
        }, ct);
    }

    /// <summary>
    /// The candidates (both queries of <see cref="CandidateQueries"/>), after the lock statements when
    /// <paramref name="lockKeys"/> are given. Inside the submission's transaction (its connection is open).
    /// </summary>
    public static async Task<(List<ClusterCandidate>, List<CitizenCandidate>)> LockAndReadAsync(HaloDbContext db, long[]? lockKeys, ReportPoint p,
        ValidReport r, ReportsOptions o, CancellationToken ct)
    {
        var (from, to) = (p.OccurredAt.AddHours(-o.CandidateWindowHours), p.OccurredAt.AddHours(o.CandidateWindowHours));
        var box = Haversine.BoundingBox(p.Latitude, p.Longitude, o.CandidateRadiusM);
        var wide = Haversine.BoundingBox(p.Latitude, p.Longitude, o.CandidateRadiusM + o.MaxOfficialPrecisionM);

        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        await using var batch = new NpgsqlBatch(connection);
        if (lockKeys is not null) PostgresClusterLock.AddLockCommand(batch, lockKeys);
        var skip = batch.BatchCommands.Count;
        var official = new NpgsqlBatchCommand("""
            SELECT i."Id", i."Category", i."OccurredAt", i."Latitude", i."Longitude", i."LocationPrecisionM"
            FROM incidents i
            WHERE i."Source" <> $1 AND i."IsIncident" AND i."Status" <> $2 AND i."Status" <> $3
              AND i."OccurredAt" >= $4 AND i."OccurredAt" <= $5
              AND i."Latitude" >= $6 AND i."Latitude" <= $7 AND i."Longitude" >= $8 AND i."Longitude" <= $9
              AND i."LocationPrecisionM" <= $10
            """);
        foreach (var v in new object[] { IncidentSources.Citizen, IncidentStatus.Rejected, IncidentStatus.Deleted, from, to,
                     wide.MinLat, wide.MaxLat, wide.MinLon, wide.MaxLon, o.MaxOfficialPrecisionM })
            official.Parameters.Add(new NpgsqlParameter { Value = v });
        batch.BatchCommands.Add(official);
        var citizen = new NpgsqlBatchCommand(CitizenColumnsSql + """
            WHERE c."CentroidLatitude" >= $4 AND c."CentroidLatitude" <= $5 AND c."CentroidLongitude" >= $6 AND c."CentroidLongitude" <= $7
              AND i."OccurredAt" >= $8 AND i."OccurredAt" <= $9 AND i."Status" <> $10 AND i."Status" <> $11
            """);
        AddReporterParameters(citizen, r);
        foreach (var v in new object[] { box.MinLat, box.MaxLat, box.MinLon, box.MaxLon, from, to, IncidentStatus.Rejected, IncidentStatus.Deleted })
            citizen.Parameters.Add(new NpgsqlParameter { Value = v });
        batch.BatchCommands.Add(citizen);
        // Halo's connections plan every execution for its values (DataRegistration.WithPostgresDefaults). The two
        // range reads above must keep that: once recent rows grow, PostgreSQL's generic plan for the official read
        // (cheaper by its estimate) walks the latitude index over every row and the submit rate collapses. The writes
        // that follow opt back into the default, whose generic plans are good for them (bench/RESULTS-reports.md).
        batch.BatchCommands.Add(new NpgsqlBatchCommand("SELECT set_config('plan_cache_mode', 'auto', true)"));

        var officials = new List<ClusterCandidate>();
        var citizens = new List<CitizenCandidate>();
        await using var reader = await batch.ExecuteReaderAsync(ct);
        for (var n = 0; n < skip; n++) await reader.NextResultAsync(ct); // past the lock statements
        while (await reader.ReadAsync(ct))
            officials.Add(new ClusterCandidate(reader.GetGuid(0), true, reader.GetString(1), Utc(reader.GetDateTime(2)),
                reader.GetDouble(3), reader.GetDouble(4), reader.GetDouble(5)));
        await reader.NextResultAsync(ct);
        while (await reader.ReadAsync(ct)) citizens.Add(ReadCitizen(reader));
        return (officials, citizens);
    }

    /// <summary><see cref="CandidateQueries.LinkedAsync"/> as SQL, after the official incident's key (one round trip), inside the submission's transaction.</summary>
    public static async Task<LinkedCluster> LockAndReadLinkedAsync(HaloDbContext db, Guid official, ValidReport r, bool withCounters, CancellationToken ct)
    {
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        await using var batch = new NpgsqlBatch(connection);
        PostgresClusterLock.AddOfficialLockCommand(batch, official);
        var linked = new NpgsqlBatchCommand(CitizenColumnsSql + """
            WHERE c."OfficialIncidentId" = $4
            """);
        AddReporterParameters(linked, r);
        linked.Parameters.Add(new NpgsqlParameter { Value = official });
        batch.BatchCommands.Add(linked);
        if (withCounters)
        {
            var counters = new NpgsqlBatchCommand("""SELECT "CitizenCorroborations", "HasCitizenMedia" FROM incidents WHERE "Id" = $1""");
            counters.Parameters.Add(new NpgsqlParameter { Value = official });
            batch.BatchCommands.Add(counters);
        }

        await using var reader = await batch.ExecuteReaderAsync(ct);
        await reader.NextResultAsync(ct); // past the lock
        var cluster = await reader.ReadAsync(ct) ? ReadCitizen(reader) : null;
        OfficialCounters? values = null;
        if (withCounters && await reader.NextResultAsync(ct) && await reader.ReadAsync(ct)) values = new(reader.GetInt32(0), reader.GetBoolean(1));
        return new LinkedCluster(cluster, values);
    }

    /// <summary>
    /// A citizen cluster candidate's columns ($1 = the device hash, $2 the network hash, $3 the user id, see
    /// <see cref="AddReporterParameters"/>); read by <see cref="ReadCitizen"/>.
    /// </summary>
    private const string CitizenColumnsSql = """
        SELECT i."Id", i."Category", i."OccurredAt", c."CentroidLatitude", c."CentroidLongitude",
               EXISTS (SELECT 1 FROM citizen_reports x WHERE x."IncidentId" = c."IncidentId" AND x."DeviceHash" = $1),
               EXISTS (SELECT 1 FROM citizen_reports x WHERE x."IncidentId" = c."IncidentId" AND (x."NetworkHash" = $2 OR x."UserId" = $3)),
               c."OfficialIncidentId", c."ReportCount", c."UniqueReporters", c."HasMedia", c."ModeratorVerified", i."Status", i."Severity",
               i."IsVerified", i."Latitude", i."Longitude", i."LocationPrecisionM", i."H3Res9", i."H3Res7", i."HasCitizenMedia", i."Summary"
        FROM report_clusters c JOIN incidents i ON i."Id" = c."IncidentId"

        """;

    private static void AddReporterParameters(NpgsqlBatchCommand command, ValidReport r)
    {
        command.Parameters.Add(new NpgsqlParameter { Value = r.DeviceHash });
        command.Parameters.Add(new NpgsqlParameter<string?> { TypedValue = r.NetworkHash, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter<string?> { TypedValue = r.UserId?.ToString(), NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
    }

    private static CitizenCandidate ReadCitizen(NpgsqlDataReader reader) => new(
        new ClusterCandidate(reader.GetGuid(0), false, reader.GetString(1), Utc(reader.GetDateTime(2)), reader.GetDouble(3), reader.GetDouble(4), 0),
        reader.GetBoolean(5), reader.GetBoolean(6),
        new ClusterRow(reader.IsDBNull(7) ? null : reader.GetGuid(7), reader.GetInt32(8), reader.GetInt32(9), reader.GetBoolean(10),
            reader.GetBoolean(11), reader.GetString(12), reader.GetInt32(13),
            reader.GetBoolean(14), reader.GetDouble(15), reader.GetDouble(16), reader.GetDouble(17), reader.GetInt64(18), reader.GetInt64(19),
            reader.GetBoolean(20), reader.IsDBNull(21) ? null : reader.GetString(21)));

    private static DateTime Utc(DateTime t) => DateTime.SpecifyKind(t, DateTimeKind.Utc);
}
