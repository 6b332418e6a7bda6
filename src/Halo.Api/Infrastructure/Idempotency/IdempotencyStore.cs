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
/// The keys whose first request is running in this process, with that request's body hash. Used on SQLite, where one
/// process owns the store: it replaces the in-progress row (see <see cref="IdempotencyStore"/>).
/// </summary>
public sealed class IdempotencyInFlight
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<(string Scope, string Key), string> _keys = new();

    /// <summary>Claims the key; false (and the holder's body hash) when a request with it is running.</summary>
    public bool TryClaim(string scope, string key, string requestHash, out string holderHash)
    {
        if (_keys.TryAdd((scope, key), requestHash))
        {
            holderHash = requestHash;
            return true;
        }
        // Released in between: report the key as busy anyway; the client's retry finds the stored row.
        holderHash = _keys.TryGetValue((scope, key), out var h) ? h : requestHash;
        return false;
    }

    public void Release(string scope, string key) => _keys.TryRemove((scope, key), out _);
}

/// <summary>
/// Idempotency-Key semantics over the database: the same key and body replay the stored status and body; the same key
/// with another body is refused (422); a key whose first request is still running is refused (409). Records are
/// deleted by the daily retention job after <c>Reports:IdempotencyRetentionDays</c>.
/// </summary>
/// <remarks>
/// Where "still running" lives depends on who may write the store (<see cref="WriteGate.OneProcessOwnsTheStore"/>).
/// PostgreSQL (several API instances may share it): an in-progress
/// row, inserted and committed before the request runs, completed afterwards in the request's own transaction
/// (<see cref="TrackCompletion"/>), and taken over once it is older than the stale limit (its process died). SQLite
/// (one process, whose writes all queue on one gate): an in-process claim (<see cref="IdempotencyInFlight"/>) and one
/// completed row inserted in the request's transaction, so a submission passes the write gate once instead of twice.
/// A crash loses the claim and the uncommitted row together, so the client's retry runs afresh. The claim is taken
/// before the row is looked up and released only after the transaction ends: a request that gets the claim after
/// another finished therefore sees its row.
/// </remarks>
public sealed class IdempotencyStore(HaloDbContext db, TimeProvider clock, WriteGate writeGate, IdempotencyInFlight inFlight)
{
    public const int MaxKeyLength = 200;

    /// <summary>Set while this request holds an in-process claim (SQLite) and no row exists yet.</summary>
    private (string Scope, string Key, string Hash, DateTime At)? _claim;

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
        if (writeGate.OneProcessOwnsTheStore)
        {
            if (!inFlight.TryClaim(scope, key, requestHash, out var holder))
                return holder == requestHash ? new IdempotencyBegin.InProgress() : new IdempotencyBegin.BodyMismatch();
            var stored = await FindAsync(scope, key, ct);
            if (stored is null)
            {
                _claim = (scope, key, requestHash, clock.GetUtcNow().UtcDateTime);
                return new IdempotencyBegin.Started(Guid.NewGuid());
            }
            // A row exists (a finished request, or an in-progress row from before this scheme): the rules below decide.
            inFlight.Release(scope, key);
            return await DecideAsync(stored, requestHash, staleAfter, ct);
        }

        for (var round = 0; round < 3; round++)
        {
            var attempt = Guid.NewGuid();
            if (await TryInsertInProgressAsync(scope, key, requestHash, attempt, ct)) return new IdempotencyBegin.Started(attempt);
            // The key exists: read what the first request left.
            var existing = await FindAsync(scope, key, ct);
            if (existing is null) continue; // abandoned in between: try to claim it again
            return await DecideAsync(existing, requestHash, staleAfter, ct);
        }
        return new IdempotencyBegin.InProgress();
    }

    private Task<IdempotencyRecord?> FindAsync(string scope, string key, CancellationToken ct) =>
        db.Set<IdempotencyRecord>().AsNoTracking().FirstOrDefaultAsync(r => r.Scope == scope && r.Key == key, ct);

    /// <summary>
    /// Shared store (PostgreSQL): inserts the in-progress row unless the key exists; the primary key decides a race.
    /// ON CONFLICT DO NOTHING, not an insert that fails: a replay is a normal request, and a failed command is logged by
    /// EF as an error with its stack trace.
    /// </summary>
    private async Task<bool> TryInsertInProgressAsync(string scope, string key, string requestHash, Guid attempt, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var state = IdempotencyStates.InProgress;
        return await writeGate.RunAsync(_ => db.Database.ExecuteSqlInterpolatedAsync($"""
            INSERT INTO idempotency_records ("Scope", "Key", "RequestHash", "State", "Attempt", "CreatedAt")
            VALUES ({scope}, {key}, {requestHash}, {state}, {attempt}, {now})
            ON CONFLICT DO NOTHING
            """, ct), ct) == 1;
    }

    /// <summary>What a request meets when the key is already stored.</summary>
    private async Task<IdempotencyBegin> DecideAsync(IdempotencyRecord existing, string requestHash, TimeSpan staleAfter, CancellationToken ct)
    {
        if (existing.RequestHash != requestHash) return new IdempotencyBegin.BodyMismatch();
        if (existing.State == IdempotencyStates.Completed)
            return new IdempotencyBegin.Replay(existing.StatusCode ?? 200, existing.ContentType ?? "application/json", existing.ResponseBody ?? "");
        var now = clock.GetUtcNow().UtcDateTime;
        if (existing.CreatedAt >= now - staleAfter) return new IdempotencyBegin.InProgress();
        // The first request has been "in progress" for too long: its process died. Take it over, once.
        var (scope, key, old, attempt) = (existing.Scope, existing.Key, existing.Attempt, Guid.NewGuid());
        var taken = await writeGate.RunAsync(_ => db.Set<IdempotencyRecord>()
            .Where(r => r.Scope == scope && r.Key == key && r.Attempt == old && r.State == IdempotencyStates.InProgress)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.Attempt, attempt).SetProperty(r => r.CreatedAt, now), ct), ct);
        return taken == 1 ? new IdempotencyBegin.Started(attempt) : new IdempotencyBegin.InProgress();
    }

    public Task CompleteAsync(string scope, string key, Guid attempt, int statusCode, string contentType, string body, CancellationToken ct)
    {
        if (_claim is not null)
        {
            TrackCompletion(scope, key, attempt, statusCode, contentType, body);
            return writeGate.RunAsync(_ => db.SaveChangesAsync(ct), ct);
        }
        var now = clock.GetUtcNow().UtcDateTime;
        return writeGate.RunAsync(_ => db.Set<IdempotencyRecord>()
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
    /// submission saves a statement and a commit. An in-progress row is updated matching <paramref name="attempt"/> (a
    /// concurrency token): if the key was taken over meanwhile, SaveChanges throws <see cref="DbUpdateConcurrencyException"/>
    /// and the caller's transaction stores nothing. Under an in-process claim the completed row is inserted.
    /// </summary>
    public void TrackCompletion(string scope, string key, Guid attempt, int statusCode, string contentType, string body)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        if (_claim is { } claim)
        {
            db.Add(new IdempotencyRecord
            {
                Scope = scope, Key = key, RequestHash = claim.Hash, Attempt = attempt, CreatedAt = claim.At,
                State = IdempotencyStates.Completed, StatusCode = statusCode, ContentType = contentType, ResponseBody = body, CompletedAt = now,
            });
            return;
        }
        // The in-progress row as it is stored (no answer yet), with the expected attempt: EF writes the completion
        // columns because they change, and only where the attempt still matches.
        var record = new IdempotencyRecord
        {
            Scope = scope, Key = key, RequestHash = "", Attempt = attempt, State = IdempotencyStates.InProgress,
            StatusCode = null, ContentType = null, ResponseBody = null, CompletedAt = null,
        };
        db.Attach(record);
        record.State = IdempotencyStates.Completed;
        record.StatusCode = statusCode;
        record.ContentType = contentType;
        record.ResponseBody = body;
        record.CompletedAt = now;
    }

    /// <summary>Releases the key after a failure (5xx, cancellation), so the client's retry runs the request afresh.</summary>
    public Task AbandonAsync(string scope, string key, Guid attempt)
    {
        if (_claim is not null) return Task.CompletedTask; // no row was written; Release frees the claim
        return writeGate.RunAsync(_ => db.Set<IdempotencyRecord>().Where(r => r.Scope == scope && r.Key == key && r.Attempt == attempt)
            .ExecuteDeleteAsync(CancellationToken.None), CancellationToken.None);
    }

    /// <summary>True while this request holds an in-process claim (SQLite) and no row exists yet.</summary>
    public bool HoldsClaim => _claim is not null;

    /// <summary>Ends this request's in-process claim (SQLite), once its transaction has committed or rolled back.</summary>
    public void Release()
    {
        if (_claim is { } claim) inFlight.Release(claim.Scope, claim.Key);
        _claim = null;
    }

    /// <summary>Deletes records created before <paramref name="cutoff"/>; returns how many.</summary>
    public static Task<int> PurgeAsync(HaloDbContext db, DateTime cutoff, CancellationToken ct) =>
        db.Set<IdempotencyRecord>().Where(r => r.CreatedAt < cutoff).ExecuteDeleteAsync(ct);
}
