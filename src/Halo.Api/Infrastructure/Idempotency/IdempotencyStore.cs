using Halo.Api.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Halo.Api.Infrastructure.Idempotency;

/// <summary>
/// One <c>Idempotency-Key</c> use, persisted so replays survive restarts. <see cref="Attempt"/> identifies the request
/// that owns an in-progress record, so a stale one (its process died) can be taken over exactly once.
/// </summary>
public sealed class IdempotencyRecord
{
    public required string Scope { get; set; }
    public required string Key { get; set; }
    public required string RequestHash { get; set; }
    public string State { get; set; } = IdempotencyStates.InProgress;
    public Guid Attempt { get; set; }
    public int? StatusCode { get; set; }
    public string? ContentType { get; set; }
    public string? ResponseBody { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? CompletedAt { get; set; }
}

public static class IdempotencyStates
{
    public const string InProgress = "in_progress";
    public const string Completed = "completed";
}

internal sealed class IdempotencyRecordConfiguration : IEntityTypeConfiguration<IdempotencyRecord>
{
    public void Configure(EntityTypeBuilder<IdempotencyRecord> r)
    {
        r.ToTable("idempotency_records");
        r.HasKey(x => new { x.Scope, x.Key });
        r.Property(x => x.Scope).HasMaxLength(64);
        r.Property(x => x.Key).HasMaxLength(IdempotencyStore.MaxKeyLength);
        r.Property(x => x.RequestHash).HasMaxLength(64);
        r.Property(x => x.State).HasMaxLength(16);
        r.Property(x => x.ContentType).HasMaxLength(100);
        // A completion that rides in another transaction (TrackCompletion) must not land once the key was taken over.
        r.Property(x => x.Attempt).IsConcurrencyToken();
        r.HasIndex(x => x.CreatedAt);
    }
}

public abstract record IdempotencyBegin
{
    /// <summary>This request owns the key: run it, then <see cref="IdempotencyStore.CompleteAsync"/> or <see cref="IdempotencyStore.AbandonAsync"/>.</summary>
    public sealed record Started(Guid Attempt) : IdempotencyBegin;
    public sealed record Replay(int StatusCode, string ContentType, string Body) : IdempotencyBegin;
    public sealed record InProgress : IdempotencyBegin;
    public sealed record BodyMismatch : IdempotencyBegin;
}

/// <summary>
/// Idempotency-Key semantics over the database: the same key and body replay the stored status and body; the same key
/// with another body is refused (422); a key whose first request is still running is refused (409). Records are
/// deleted by the daily retention job after <c>Reports:IdempotencyRetentionDays</c>.
/// </summary>
public sealed class IdempotencyStore(HaloDbContext db, TimeProvider clock, Features.Reports.ClusterLock writeGate)
{
    public const int MaxKeyLength = 200;

    /// <summary>Null when the key is acceptable, otherwise why not.</summary>
    public static string? ValidateKey(string? key)
    {
        if (string.IsNullOrWhiteSpace(key)) return "The Idempotency-Key header is required.";
        if (key.Length > MaxKeyLength) return $"The Idempotency-Key header must be at most {MaxKeyLength} characters.";
        if (key.Any(c => c < 0x21 || c > 0x7e)) return "The Idempotency-Key header must be printable ASCII without spaces.";
        return null;
    }

    public async Task<IdempotencyBegin> BeginAsync(string scope, string key, string requestHash, TimeSpan staleAfter, CancellationToken ct)
    {
        for (var round = 0; round < 3; round++)
        {
            var now = clock.GetUtcNow().UtcDateTime;
            var attempt = Guid.NewGuid();
            var record = new IdempotencyRecord { Scope = scope, Key = key, RequestHash = requestHash, Attempt = attempt, CreatedAt = now };
            db.Add(record);
            try
            {
                await writeGate.WriteAsync(db, () => db.SaveChangesAsync(ct), ct);
                return new IdempotencyBegin.Started(attempt);
            }
            catch (DbUpdateException)
            {
                // The key exists (primary-key conflict): fall through and read what the first request left.
            }
            finally
            {
                db.Entry(record).State = EntityState.Detached;
            }

            var existing = await db.Set<IdempotencyRecord>().AsNoTracking()
                .FirstOrDefaultAsync(r => r.Scope == scope && r.Key == key, ct);
            if (existing is null) continue; // abandoned in between: try to claim it again
            if (existing.RequestHash != requestHash) return new IdempotencyBegin.BodyMismatch();
            if (existing.State == IdempotencyStates.Completed)
                return new IdempotencyBegin.Replay(existing.StatusCode ?? 200, existing.ContentType ?? "application/json", existing.ResponseBody ?? "");
            if (existing.CreatedAt >= now - staleAfter) return new IdempotencyBegin.InProgress();
            // The first request has been "in progress" for too long: its process died. Take it over, once.
            var old = existing.Attempt;
            var taken = await writeGate.WriteAsync(db, () => db.Set<IdempotencyRecord>()
                .Where(r => r.Scope == scope && r.Key == key && r.Attempt == old && r.State == IdempotencyStates.InProgress)
                .ExecuteUpdateAsync(s => s.SetProperty(r => r.Attempt, attempt).SetProperty(r => r.CreatedAt, now), ct), ct);
            return taken == 1 ? new IdempotencyBegin.Started(attempt) : new IdempotencyBegin.InProgress();
        }
        return new IdempotencyBegin.InProgress();
    }

    public Task CompleteAsync(string scope, string key, Guid attempt, int statusCode, string contentType, string body, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        return writeGate.WriteAsync(db, () => db.Set<IdempotencyRecord>()
            .Where(r => r.Scope == scope && r.Key == key && r.Attempt == attempt)
            .ExecuteUpdateAsync(s => s
                .SetProperty(r => r.State, IdempotencyStates.Completed)
                .SetProperty(r => r.StatusCode, statusCode)
                .SetProperty(r => r.ContentType, contentType)
                .SetProperty(r => r.ResponseBody, body)
                .SetProperty(r => r.CompletedAt, now), ct), ct);
    }

    /// <summary>
    /// Adds the completion to the DbContext's pending changes instead of writing it now, so it commits in the caller's
    /// transaction together with what the request stored: a replay then can never miss a stored result, and a
    /// submission saves a statement and a commit. The update matches <paramref name="attempt"/> (a concurrency token):
    /// if the key was taken over meanwhile, SaveChanges throws <see cref="DbUpdateConcurrencyException"/> and the
    /// caller's transaction stores nothing.
    /// </summary>
    public void TrackCompletion(string scope, string key, Guid attempt, int statusCode, string contentType, string body)
    {
        // A stub with the key and the expected attempt; only the completion columns are written.
        var record = new IdempotencyRecord { Scope = scope, Key = key, RequestHash = "", Attempt = attempt };
        var entry = db.Attach(record);
        record.State = IdempotencyStates.Completed;
        record.StatusCode = statusCode;
        record.ContentType = contentType;
        record.ResponseBody = body;
        record.CompletedAt = clock.GetUtcNow().UtcDateTime;
        foreach (var p in new[] { nameof(IdempotencyRecord.State), nameof(IdempotencyRecord.StatusCode), nameof(IdempotencyRecord.ContentType),
                     nameof(IdempotencyRecord.ResponseBody), nameof(IdempotencyRecord.CompletedAt) })
            entry.Property(p).IsModified = true;
    }

    /// <summary>Releases the key after a failure (5xx, cancellation), so the client's retry runs the request afresh.</summary>
    public Task AbandonAsync(string scope, string key, Guid attempt) =>
        writeGate.WriteAsync(db, () => db.Set<IdempotencyRecord>().Where(r => r.Scope == scope && r.Key == key && r.Attempt == attempt)
            .ExecuteDeleteAsync(CancellationToken.None), CancellationToken.None);

    /// <summary>Deletes records created before <paramref name="cutoff"/>; returns how many.</summary>
    public static Task<int> PurgeAsync(HaloDbContext db, DateTime cutoff, CancellationToken ct) =>
        db.Set<IdempotencyRecord>().Where(r => r.CreatedAt < cutoff).ExecuteDeleteAsync(ct);
}
