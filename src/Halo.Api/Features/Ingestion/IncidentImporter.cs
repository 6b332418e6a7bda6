using Halo.Api.Data;
using Halo.Api.Features.Incidents;
using Halo.Api.Features.Ingestion.Polisen;
using Microsoft.EntityFrameworkCore;

namespace Halo.Api.Features.Ingestion;

/// <summary>Counts of one import or poll.</summary>
public sealed record ImportResult(int Read, int New, int Updated, int Unchanged, int Rejected, DateTime? NewestPublishedAt)
{
    public static readonly ImportResult Empty = new(0, 0, 0, 0, 0, null);
}

/// <summary>Progress of a long import, reported after each batch.</summary>
public sealed record ImportProgress(int Read, int New, int Updated, int Rejected);

/// <summary>
/// The one write path for official incidents: the poller, the <c>import</c> command and the first-run sample all go
/// through here. Upserts by (source, external id) in batches, one transaction each, with change tracking off;
/// a record whose raw payload is unchanged is skipped, an edited one updates its row in place.
/// </summary>
public sealed class IncidentImporter(HaloDbContext db, TimeProvider time, ILogger<IncidentImporter> logger, Live.ILiveNotifications? live = null)
{
    public const int DefaultBatchSize = 1000;
    private const int MaxLoggedRejections = 20;

    public async Task<ImportResult> ImportAsync(string source, IAsyncEnumerable<ParsedRecord> records,
        IProgress<ImportProgress>? progress = null, int batchSize = DefaultBatchSize, CancellationToken ct = default)
    {
        int read = 0, added = 0, updated = 0, unchanged = 0, rejected = 0;
        DateTime? newest = null;
        var batch = new List<Incident>(batchSize);

        async Task FlushAsync()
        {
            if (batch.Count == 0) return;
            var (n, u, s) = await UpsertBatchAsync(source, batch, ct);
            added += n; updated += u; unchanged += s;
            batch.Clear();
            progress?.Report(new ImportProgress(read, added, updated, rejected));
        }

        await foreach (var record in records.WithCancellation(ct))
        {
            read++;
            if (record.Incident is null)
            {
                rejected++;
                if (rejected <= MaxLoggedRejections)
                    logger.LogWarning("Rejected {Source} record {ExternalId}: {Reason}", source, record.ExternalId ?? "(no id)", record.RejectReason);
                continue;
            }
            if (record.Incident.PublishedAt is { } p && (newest is null || p > newest)) newest = p;
            batch.Add(record.Incident);
            if (batch.Count >= batchSize) await FlushAsync();
        }
        await FlushAsync();
        if (rejected > MaxLoggedRejections)
            logger.LogWarning("{Rejected} {Source} records rejected in total ({Logged} logged)", rejected, source, MaxLoggedRejections);
        return new ImportResult(read, added, updated, unchanged, rejected, newest);
    }

    /// <summary>Upserts one batch in one transaction. Returns (new, updated, unchanged).</summary>
    public async Task<(int New, int Updated, int Unchanged)> UpsertBatchAsync(string source, IReadOnlyList<Incident> incoming, CancellationToken ct)
    {
        // Within a batch the last version of a record wins (a feed can repeat an event it has just edited).
        var byId = new Dictionary<string, Incident>(StringComparer.Ordinal);
        foreach (var i in incoming)
        {
            if (i.ExternalId is null) throw new ArgumentException("Imported incidents need an external id.", nameof(incoming));
            i.Source = source;
            byId[i.ExternalId] = i;
        }
        var ids = byId.Keys.ToList();
        var existing = await db.Incidents.AsNoTracking()
            .Where(i => i.Source == source && ids.Contains(i.ExternalId!))
            .Select(i => new { i.Id, i.ExternalId, i.RawPayload, i.CreatedAt })
            .ToDictionaryAsync(i => i.ExternalId!, StringComparer.Ordinal, ct);

        var autoDetect = db.ChangeTracker.AutoDetectChangesEnabled;
        db.ChangeTracker.AutoDetectChangesEnabled = false;
        try
        {
            int added = 0, updated = 0, unchanged = 0;
            var now = time.GetUtcNow().UtcDateTime;
            var updatedIds = new List<Guid>();
            var newRows = new List<Incident>();
            foreach (var (externalId, incident) in byId)
            {
                if (!existing.TryGetValue(externalId, out var row))
                {
                    newRows.Add(incident);
                    added++;
                }
                else if (!string.Equals(row.RawPayload, incident.RawPayload, StringComparison.Ordinal))
                {
                    incident.Id = row.Id;
                    incident.CreatedAt = row.CreatedAt;
                    incident.UpdatedAt = now;
                    db.Incidents.Update(incident);
                    updatedIds.Add(row.Id);
                    updated++;
                }
                else unchanged++;
            }
            await db.Dialect.AddIncidentsAsync(db, newRows, ct);
            if (added + updated > 0)
            {
                await db.SaveChangesAsync(ct);
                if (updatedIds.Count > 0) await OnUpdatedAsync(updatedIds, ct);
                foreach (var row in newRows) live?.IncidentChanged(row.Id, Live.LiveChange.Created);
                foreach (var updatedId in updatedIds) live?.IncidentChanged(updatedId, Live.LiveChange.Updated);
            }
            return (added, updated, unchanged);
        }
        finally
        {
            db.ChangeTracker.Clear();
            db.ChangeTracker.AutoDetectChangesEnabled = autoDetect;
        }
    }

    // An edited event gets the area centroid back; any refined position was derived from the old text.
    private Task OnUpdatedAsync(List<Guid> ids, CancellationToken ct) =>
        db.Set<Geocoding.IncidentGeocode>().Where(g => ids.Contains(g.IncidentId)).ExecuteDeleteAsync(ct);
}
