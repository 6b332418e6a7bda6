using System.Text.Json;
using Halo.Api.Data;
using Halo.Api.Features.Geo;
using Halo.Api.Features.Incidents;
using Halo.Api.Features.Media;
using Halo.Api.Features.Taxonomy;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Halo.Api.Features.Reports;

/// <summary>The result of one submission, before it is written to the wire (and stored for idempotent replay).</summary>
public abstract record SubmitOutcome
{
    public sealed record Accepted(SubmitReportResponse Response) : SubmitOutcome;
    public sealed record Duplicate(CitizenReport Existing) : SubmitOutcome;
    public sealed record Invalid(IDictionary<string, string[]> Errors) : SubmitOutcome;
}

/// <summary>
/// Places a report in a cluster: reads the candidates (official incidents and citizen clusters within the radius and
/// time window), picks the best qualifying one (<see cref="ClusterScoring.Choose"/>) and writes the report and the
/// cluster's counters, all under <see cref="ClusterLock"/> in one transaction.
/// </summary>
public sealed class ReportSubmitter(HaloDbContext db, ClusterLock clusterLock, DeviceIdentity devices, PublicPosition publicPosition,
    IOptions<ReportsOptions> options, TimeProvider clock)
{
    private static readonly JsonSerializerOptions SensorJson = new(JsonSerializerDefaults.Web) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    /// <param name="beforeCommit">
    /// Called with the outcome inside the transaction, before its last write; what it adds to the DbContext (the
    /// idempotency completion) commits with the report. Called again if the decision is retried.
    /// </param>
    public async Task<SubmitOutcome> SubmitAsync(ValidReport r, Action<SubmitOutcome> beforeCommit, CancellationToken ct)
    {
        var o = options.Value;
        var point = new ReportPoint(r.Latitude, r.Longitude, r.OccurredAt, r.Category);
        if (db is PostgresHaloDbContext)
        {
            // The area keys; official incidents are read in the same round trip as the lock, and the key of the one
            // this report joins (if any) is taken once it is known (see ClusterLock).
            var keys = ClusterLock.SubmissionKeys(r.Latitude, r.Longitude, o.CandidateRadiusM);
            return await clusterLock.RunSubmissionAsync(db, keys, (lockKeys, token) => DecideAndWriteAsync(r, point, null, lockKeys, beforeCommit, token), ct);
        }
        // SQLite: every decision queues on one gate, so what need not be inside it stays outside. Submissions never
        // change what makes an official incident a candidate (only its counters), so reading them early is safe.
        var officials = await LoadOfficialCandidatesAsync(point, o, ct);
        return await clusterLock.RunSubmissionAsync(db, [], (_, token) => DecideAndWriteAsync(r, point, officials, null, beforeCommit, token), ct);
    }

    /// <param name="officials">Read already (SQLite), or null: read them now, with the lock if <paramref name="lockKeys"/> is set.</param>
    /// <param name="lockKeys">Set on PostgreSQL: the lock is not taken yet; it goes out with the candidate reads.</param>
    private async Task<SubmitOutcome> DecideAndWriteAsync(ValidReport r, ReportPoint point, List<ClusterCandidate>? officials, long[]? lockKeys,
        Action<SubmitOutcome> beforeCommit, CancellationToken ct)
    {
        var o = options.Value;
        var now = clock.GetUtcNow().UtcDateTime;

        List<CitizenCandidate> citizen;
        if (lockKeys is not null) (officials, citizen) = await LockAndLoadPostgresAsync(lockKeys, point, r, o, ct);
        else
        {
            officials ??= await LoadOfficialCandidatesAsync(point, o, ct);
            citizen = await LoadCitizenCandidatesAsync(point, r, o, ct);
        }

        async Task<SubmitOutcome> Finish(SubmitOutcome outcome)
        {
            beforeCommit(outcome);
            await db.SaveChangesAsync(ct);
            return outcome;
        }

        var media = new List<MediaItem>();
        if (r.MediaIds.Count > 0)
        {
            var ids = r.MediaIds.ToList();
            media = await db.Set<MediaItem>().Where(m => ids.Contains(m.Id)).ToListAsync(ct);
            var usable = media.Where(m => m.ReportId is null && m.OwnerDeviceHash == r.DeviceHash).Select(m => m.Id).ToHashSet();
            var bad = ids.Where(id => !usable.Contains(id)).ToList();
            if (bad.Count > 0)
            {
                db.ChangeTracker.Clear(); // the media rows were only read
                return await Finish(new SubmitOutcome.Invalid(new Dictionary<string, string[]>
                {
                    ["media_ids"] = [$"Unknown, already used, or uploaded by another device: {string.Join(", ", bad)}."],
                }));
            }
        }

        var best = ClusterScoring.Choose(point, officials.Concat(citizen.Select(c => c.Candidate)), o);

        CitizenCandidate? joined = null;
        Guid? matchedOfficial = null;
        (int Corroborations, bool HasMedia)? officialCounters = null;
        if (best is { Candidate.IsOfficial: true })
        {
            matchedOfficial = best.Candidate.IncidentId;
            CitizenCandidate? linked;
            (linked, officialCounters) = await LoadLinkedAsync(matchedOfficial.Value, r, withCounters: true, lockKeys is not null, ct);
            // A moderator rejected the citizen side of this official incident: count the report, alone, elsewhere.
            if (linked?.State.Status is IncidentStatus.Rejected or IncidentStatus.Deleted) matchedOfficial = null;
            else joined = linked;
        }
        else if (best is not null)
        {
            joined = citizen.First(c => c.Candidate.IncidentId == best.Candidate.IncidentId);
            // A cluster linked to an official incident is written under that incident's key (see ClusterLock): take it
            // and read the cluster again, now current.
            if (joined.State.OfficialIncidentId is { } linkedTo)
                (joined, _) = await LoadLinkedAsync(linkedTo, r, withCounters: false, lockKeys is not null, ct);
        }

        if (joined is { Reported: true })
        {
            var clusterOf = joined.Candidate.IncidentId;
            var existing = await db.Set<CitizenReport>().AsNoTracking()
                .FirstAsync(x => x.IncidentId == clusterOf && x.DeviceHash == r.DeviceHash, ct);
            db.ChangeTracker.Clear(); // media rows read above stay as they are
            return await Finish(new SubmitOutcome.Duplicate(existing));
        }

        var isNew = joined is null;
        var hasMedia = media.Count > 0;
        var reportCell = GeoCells.Cell(r.Latitude, r.Longitude, GeoCells.FineResolution);
        // A report from a device, account or network already in the cluster is counted, but is not another witness.
        var newWitness = joined is not { SameWitness: true };
        ReportCluster cluster;
        Incident clusterIncident;
        if (joined is null)
        {
            var id = Guid.CreateVersion7(clock.GetUtcNow());
            var cat = HaloTaxonomy.ByCode[r.Category];
            clusterIncident = new Incident
            {
                Id = id,
                Source = IncidentSources.Citizen,
                RawType = cat.Code,
                Category = cat.Code,
                // The reporter's own severity, when given, beats the category default.
                Severity = r.Severity ?? cat.DefaultSeverity,
                Title = $"{cat.NameEn} (citizen reports)",
                OccurredAt = r.OccurredAt,
                PublishedAt = now,
                Status = IncidentStatus.Unverified,
                CreatedAt = now,
                UpdatedAt = now,
            };
            cluster = new ReportCluster
            {
                IncidentId = id,
                OfficialIncidentId = matchedOfficial,
                CentroidLatitude = r.Latitude,
                CentroidLongitude = r.Longitude,
                ReportCount = 1,
                UniqueReporters = 1,
                HasMedia = hasMedia,
                CreatedAt = now,
                UpdatedAt = now,
            };
            db.Incidents.Add(clusterIncident);
            db.Add(cluster);
            ClusterState.Apply(cluster, clusterIncident, publicPosition.Choose(id, [reportCell]), now);
        }
        else
        {
            // Every writer of a cluster holds the lock that covers it (ClusterLock), and so does this one: the row read
            // under it is current. Write the new state from it, in the same batch as the report, instead of an update
            // and a re-read. The device is new to the cluster (checked above, and by the unique index).
            (cluster, clusterIncident) = joined.State.Attach(db, joined.Candidate);
            (cluster.CentroidLatitude, cluster.CentroidLongitude) = ClusterState.Mean(cluster.CentroidLatitude, cluster.CentroidLongitude,
                cluster.ReportCount, r.Latitude, r.Longitude, 1);
            cluster.ReportCount++;
            if (newWitness) cluster.UniqueReporters++;
            cluster.HasMedia |= hasMedia;
            cluster.UpdatedAt = now;
            ClusterState.Join(clusterIncident, r.OccurredAt, r.Severity);
            var clusterId = cluster.IncidentId;
            var witnessCells = await db.Set<CitizenReport>().AsNoTracking()
                .Where(x => x.IncidentId == clusterId && x.CountsAsWitness).Select(x => x.H3Res9).ToListAsync(ct);
            if (newWitness) witnessCells.Add(reportCell);
            ClusterState.Apply(cluster, clusterIncident, publicPosition.Choose(clusterId, witnessCells), now);
            ClusterState.MarkApplied(db.Entry(clusterIncident));
        }

        var report = new CitizenReport
        {
            Id = Guid.CreateVersion7(clock.GetUtcNow()),
            IncidentId = cluster.IncidentId,
            MatchedOfficialIncidentId = matchedOfficial,
            DeviceHash = r.DeviceHash,
            UserId = r.UserId?.ToString(),
            NetworkHash = r.NetworkHash,
            CountsAsWitness = newWitness,
            ReporterId = devices.ReporterId(r.DeviceHash, cluster.IncidentId),
            Category = r.Category,
            Severity = r.Severity,
            AiCategory = r.AiCategory,
            AiConfidence = r.AiConfidence,
            AiModelVersion = r.AiModelVersion,
            Latitude = r.Latitude,
            Longitude = r.Longitude,
            AccuracyM = r.AccuracyM,
            H3Res9 = reportCell,
            OccurredAt = r.OccurredAt,
            SubmittedAt = now,
            Description = r.Description,
            SensorsJson = r.Sensors is null ? null : JsonSerializer.Serialize(r.Sensors, SensorJson),
            MediaCount = media.Count,
            MatchScore = best is null || isNew && matchedOfficial is null ? null : best.Score,
        };
        db.Add(report);
        foreach (var m in media) m.ReportId = report.Id;

        if (matchedOfficial is { } officialId && officialCounters is { } counters)
        {
            // The official row keeps its own data; it only gains the corroboration count and the media flag. Only
            // submissions holding its key write these two columns, so the values read under the key are current.
            var official = new Incident
            {
                Id = officialId, Source = "", RawType = "", Category = "", Title = "",
                CitizenCorroborations = counters.Corroborations, HasCitizenMedia = counters.HasMedia,
            };
            db.Attach(official);
            official.CitizenCorroborations++;
            official.HasCitizenMedia |= hasMedia;
        }

        return await Finish(new SubmitOutcome.Accepted(new SubmitReportResponse(
            report.Id, cluster.IncidentId, matchedOfficial, isNew, cluster.ReportCount, cluster.UniqueReporters,
            ClusterScoring.Confidence(cluster.UniqueReporters), clusterIncident.IsVerified, clusterIncident.Status, report.ReporterId!)));
    }

    /// <summary>
    /// The cluster linked to an official incident (null if none yet) with this device's duplicate flag, and, when
    /// <paramref name="withCounters"/> (the report matched the official incident itself), the official row's two citizen
    /// columns. On PostgreSQL under area locks it first takes the official incident's key, in the same round trip.
    /// </summary>
    private async Task<(CitizenCandidate?, (int, bool)?)> LoadLinkedAsync(Guid official, ValidReport r, bool withCounters, bool takeLock,
        CancellationToken ct)
    {
        if (takeLock)
        {
            var connection = (NpgsqlConnection)db.Database.GetDbConnection();
            await using var batch = new NpgsqlBatch(connection);
            ClusterLock.AddOfficialLockCommand(batch, official);
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
            (int, bool)? values = null;
            if (withCounters && await reader.NextResultAsync(ct) && await reader.ReadAsync(ct)) values = (reader.GetInt32(0), reader.GetBoolean(1));
            return (cluster, values);
        }

        // Null means unknown, never "the same as another unknown" (EF compares nulls as equal in C# terms).
        var (userId, network) = (r.UserId?.ToString(), r.NetworkHash);
        var row = await (
                from c in db.Set<ReportCluster>().AsNoTracking()
                join i in db.Incidents.AsNoTracking() on c.IncidentId equals i.Id
                where c.OfficialIncidentId == official
                select new CitizenCandidate(
                    new ClusterCandidate(i.Id, false, i.Category, i.OccurredAt, c.CentroidLatitude, c.CentroidLongitude, 0),
                    db.Set<CitizenReport>().Any(x => x.IncidentId == c.IncidentId && x.DeviceHash == r.DeviceHash),
                    db.Set<CitizenReport>().Any(x => x.IncidentId == c.IncidentId && (network != null && x.NetworkHash == network || userId != null && x.UserId == userId)),
                    new ClusterRow(c.OfficialIncidentId, c.ReportCount, c.UniqueReporters, c.HasMedia, c.ModeratorVerified, i.Status, i.Severity)))
            .FirstOrDefaultAsync(ct);
        if (!withCounters) return (row, null);
        var officialRow = await db.Incidents.AsNoTracking().Where(i => i.Id == official)
            .Select(i => new { i.CitizenCorroborations, i.HasCitizenMedia }).FirstOrDefaultAsync(ct);
        return (row, officialRow is null ? null : (officialRow.CitizenCorroborations, officialRow.HasCitizenMedia));
    }

    private async Task<List<ClusterCandidate>> LoadOfficialCandidatesAsync(ReportPoint p, ReportsOptions o, CancellationToken ct)
    {
        var (windowFrom, windowTo) = (p.OccurredAt.AddHours(-o.CandidateWindowHours), p.OccurredAt.AddHours(o.CandidateWindowHours));

        // Official events are located to an area: prefilter with the radius plus the largest area, score exactly after.
        var wide = Haversine.BoundingBox(p.Latitude, p.Longitude, o.CandidateRadiusM + o.MaxOfficialPrecisionM);
        // On SQLite, walk the time index: the planner would otherwise take the lat/lon index, and a 150 km box around a
        // city holds most of the table (measured: ~0.3 s per report at 100k rows).
        var source = db is SqliteHaloDbContext
            ? db.Incidents.FromSqlRaw($"SELECT * FROM incidents INDEXED BY {IncidentConfiguration.TimePositionIndex}")
            : db.Incidents;
        var officials = await source.AsNoTracking()
            .Where(i => i.Source != IncidentSources.Citizen && i.IsIncident
                && i.Status != IncidentStatus.Rejected && i.Status != IncidentStatus.Deleted
                && i.OccurredAt >= windowFrom && i.OccurredAt <= windowTo
                && i.Latitude >= wide.MinLat && i.Latitude <= wide.MaxLat && i.Longitude >= wide.MinLon && i.Longitude <= wide.MaxLon
                && i.LocationPrecisionM <= o.MaxOfficialPrecisionM)
            .Select(i => new ClusterCandidate(i.Id, true, i.Category, i.OccurredAt, i.Latitude, i.Longitude, i.LocationPrecisionM))
            .ToListAsync(ct);
        return officials;
    }

    /// <summary>
    /// The stored state of a candidate cluster and its incident, read with the candidates: enough to write a join
    /// without reading the rows again (<see cref="Attach"/>).
    /// </summary>
    private sealed record ClusterRow(Guid? OfficialIncidentId, int ReportCount, int UniqueReporters, bool HasMedia, bool ModeratorVerified,
        string Status, int Severity)
    {
        /// <summary>
        /// Tracks the two rows as unchanged, with these values as they are stored, so EF writes only what the join
        /// changes. Incident columns the join never writes are left out of the stub and never marked modified.
        /// </summary>
        public (ReportCluster, Incident) Attach(HaloDbContext db, ClusterCandidate c)
        {
            var cluster = new ReportCluster
            {
                IncidentId = c.IncidentId, OfficialIncidentId = OfficialIncidentId, ReportCount = ReportCount, UniqueReporters = UniqueReporters,
                CentroidLatitude = c.Latitude, CentroidLongitude = c.Longitude, HasMedia = HasMedia, ModeratorVerified = ModeratorVerified,
            };
            var incident = new Incident
            {
                Id = c.IncidentId, Source = IncidentSources.Citizen, RawType = c.Category, Category = c.Category, Title = "",
                Status = Status, Severity = Severity, OccurredAt = c.OccurredAt,
            };
            db.Attach(cluster);
            db.Attach(incident);
            return (cluster, incident);
        }
    }

    /// <summary>A citizen cluster candidate, whether this device already reported in it (the 409 case), and its row.</summary>
    /// <summary>
    /// A citizen cluster candidate, whether this device already reported in it (the 409 case), whether a report from this
    /// device's account or network is already in it (then this one is no new witness), and its row.
    /// </summary>
    private sealed record CitizenCandidate(ClusterCandidate Candidate, bool Reported, bool SameWitness, ClusterRow State);

    private async Task<List<CitizenCandidate>> LoadCitizenCandidatesAsync(ReportPoint p, ValidReport r, ReportsOptions o, CancellationToken ct)
    {
        var (windowFrom, windowTo) = (p.OccurredAt.AddHours(-o.CandidateWindowHours), p.OccurredAt.AddHours(o.CandidateWindowHours));
        // The same box ClusterLock locks cell by cell: reading outside it would not be protected.
        var box = Haversine.BoundingBox(p.Latitude, p.Longitude, o.CandidateRadiusM);
        // On SQLite, start from the centroid index: the planner would otherwise walk every incident in the ±24 h window
        // (official ones too) and look each up among the clusters (measured: 3–4 times slower, inside the write gate).
        var clusters = db is SqliteHaloDbContext
            ? db.Set<ReportCluster>().FromSqlRaw($"SELECT * FROM report_clusters INDEXED BY {ReportClusterConfiguration.CentroidIndex}")
            : db.Set<ReportCluster>();
        // Null means unknown, never "the same as another unknown" (EF compares nulls as equal in C# terms).
        var (userId, network) = (r.UserId?.ToString(), r.NetworkHash);
        var rows = await (
                from c in clusters.AsNoTracking()
                join i in db.Incidents.AsNoTracking() on c.IncidentId equals i.Id
                where c.CentroidLatitude >= box.MinLat && c.CentroidLatitude <= box.MaxLat
                    && c.CentroidLongitude >= box.MinLon && c.CentroidLongitude <= box.MaxLon
                    && i.OccurredAt >= windowFrom && i.OccurredAt <= windowTo
                    && i.Status != IncidentStatus.Rejected && i.Status != IncidentStatus.Deleted
                select new
                {
                    i.Id, i.Category, i.OccurredAt, c.CentroidLatitude, c.CentroidLongitude,
                    c.OfficialIncidentId, c.ReportCount, c.UniqueReporters, c.HasMedia, c.ModeratorVerified, i.Status, i.Severity,
                    // The duplicate check rides along (one indexed probe per candidate) instead of costing a round trip.
                    Reported = db.Set<CitizenReport>().Any(x => x.IncidentId == c.IncidentId && x.DeviceHash == r.DeviceHash),
                    SameWitness = db.Set<CitizenReport>().Any(x => x.IncidentId == c.IncidentId && (network != null && x.NetworkHash == network || userId != null && x.UserId == userId)),
                })
            .ToListAsync(ct);
        return rows.Select(x => new CitizenCandidate(
            new ClusterCandidate(x.Id, false, x.Category, x.OccurredAt, x.CentroidLatitude, x.CentroidLongitude, 0), x.Reported, x.SameWitness,
            new ClusterRow(x.OfficialIncidentId, x.ReportCount, x.UniqueReporters, x.HasMedia, x.ModeratorVerified, x.Status, x.Severity))).ToList();
    }

    /// <summary>
    /// PostgreSQL: the area locks and both candidate queries in one batch, one round trip, since every round trip after
    /// the lock is granted is spent holding it. The queries are the LINQ ones above, written out: keep them in step (the
    /// PostgreSQL tests run these, the SQLite tests the LINQ ones).
    /// </summary>
    private async Task<(List<ClusterCandidate>, List<CitizenCandidate>)> LockAndLoadPostgresAsync(long[] lockKeys, ReportPoint p, ValidReport r,
        ReportsOptions o, CancellationToken ct)
    {
        var (from, to) = (p.OccurredAt.AddHours(-o.CandidateWindowHours), p.OccurredAt.AddHours(o.CandidateWindowHours));
        var box = Haversine.BoundingBox(p.Latitude, p.Longitude, o.CandidateRadiusM);
        var wide = Haversine.BoundingBox(p.Latitude, p.Longitude, o.CandidateRadiusM + o.MaxOfficialPrecisionM);

        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        await using var batch = new NpgsqlBatch(connection);
        // Halo's connections plan every execution for its values (DataRegistration.WithPostgresDefaults); this
        // transaction's statements opt back into PostgreSQL's default, which keeps a prepared statement's generic plan
        // when it is no worse: measured 845 vs 524–619 reports/s with per-execution planning.
        batch.BatchCommands.Add(new NpgsqlBatchCommand("SELECT set_config('plan_cache_mode', 'auto', true)"));
        ClusterLock.AddLockCommand(batch, lockKeys);
        var lockStatements = batch.BatchCommands.Count;
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

        var officials = new List<ClusterCandidate>();
        var citizens = new List<CitizenCandidate>();
        await using var reader = await batch.ExecuteReaderAsync(ct);
        for (var n = 1; n < lockStatements; n++) await reader.NextResultAsync(ct); // past the setting and the lock statements
        await reader.NextResultAsync(ct);
        while (await reader.ReadAsync(ct))
            officials.Add(new ClusterCandidate(reader.GetGuid(0), true, reader.GetString(1), Utc(reader.GetDateTime(2)),
                reader.GetDouble(3), reader.GetDouble(4), reader.GetDouble(5)));
        await reader.NextResultAsync(ct);
        while (await reader.ReadAsync(ct)) citizens.Add(ReadCitizen(reader));
        return (officials, citizens);
    }

    /// <summary>
    /// PostgreSQL: a citizen cluster candidate's columns ($1 = the device hash, $2 the network hash, $3 the user id, see
    /// <see cref="AddReporterParameters"/>); read by <see cref="ReadCitizen"/>.
    /// </summary>
    private const string CitizenColumnsSql = """
        SELECT i."Id", i."Category", i."OccurredAt", c."CentroidLatitude", c."CentroidLongitude",
               EXISTS (SELECT 1 FROM citizen_reports x WHERE x."IncidentId" = c."IncidentId" AND x."DeviceHash" = $1),
               EXISTS (SELECT 1 FROM citizen_reports x WHERE x."IncidentId" = c."IncidentId" AND (x."NetworkHash" = $2 OR x."UserId" = $3)),
               c."OfficialIncidentId", c."ReportCount", c."UniqueReporters", c."HasMedia", c."ModeratorVerified", i."Status", i."Severity"
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
            reader.GetBoolean(11), reader.GetString(12), reader.GetInt32(13)));

    private static DateTime Utc(DateTime t) => DateTime.SpecifyKind(t, DateTimeKind.Utc);
}
