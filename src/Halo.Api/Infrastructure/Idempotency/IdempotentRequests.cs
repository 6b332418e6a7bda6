using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Halo.Api.Infrastructure.Idempotency;

/// <summary>How one endpoint uses <c>Idempotency-Key</c>: its scope, its body limit and when a running first request counts as dead.</summary>
public sealed record IdempotencyPolicy(string Scope, int MaxBodyBytes, TimeSpan StaleAfter);

/// <summary>What a request's work answers: the exact bytes returned now and replayed later.</summary>
/// <param name="Stored">True when the work already handed the answer to <see cref="IdempotentRequest.CompleteInTransaction"/>, so it committed with the work.</param>
public readonly record struct IdempotentResponse(int Status, string ContentType, string Body, bool Stored);

/// <summary>The request's body, and the way to store its answer inside the work's own transaction.</summary>
public sealed class IdempotentRequest(byte[] body, Action<int, string, string> completeInTransaction)
{
    public byte[] Body { get; } = body;

    /// <summary>
    /// Adds the stored answer to the DbContext's pending changes: it commits with what the work writes, so a replay can
    /// never miss a stored result. Call it before the work's last SaveChanges (again if the work is retried).
    /// </summary>
    public void CompleteInTransaction(int status, string contentType, string body) => completeInTransaction(status, contentType, body);
}

/// <summary>
/// The <c>Idempotency-Key</c> protocol around one request, for any endpoint: the key is required (400), the body is read
/// up to the policy's limit (413) and hashed; the same key and body replay the stored answer (<c>Idempotent-Replayed:
/// true</c>); the same key with another body is 422; a key whose first request is still running is 409. A request that
/// fails (an exception) frees its key so the client's retry runs afresh; one that a retry took over meanwhile is 409.
/// The store's rules per provider: <see cref="IdempotencyStore"/>.
/// </summary>
public sealed class IdempotentRequests(IdempotencyStore store)
{
    public async Task<Results<ContentHttpResult, ProblemHttpResult>> RunAsync(HttpContext http, IdempotencyPolicy policy,
        Func<IdempotentRequest, CancellationToken, Task<IdempotentResponse>> work, CancellationToken ct)
    {
        var key = http.Request.Headers["Idempotency-Key"].ToString();
        if (IdempotencyStore.ValidateKey(key) is { } keyError)
            return TypedResults.Problem(keyError, statusCode: StatusCodes.Status400BadRequest, title: "Idempotency-Key required");

        var body = await ReadLimitedAsync(http.Request.Body, policy.MaxBodyBytes, ct);
        if (body is null)
            return TypedResults.Problem($"The body must be at most {policy.MaxBodyBytes} bytes.", statusCode: StatusCodes.Status413PayloadTooLarge, title: "Body too large");
        var hash = Convert.ToHexStringLower(SHA256.HashData(body));

        var begin = await store.BeginAsync(policy.Scope, key, hash, policy.StaleAfter, ct);
        switch (begin)
        {
            case IdempotencyBegin.Replay r:
                http.Response.Headers["Idempotent-Replayed"] = "true";
                return TypedResults.Content(r.Body, r.ContentType, Encoding.UTF8, r.StatusCode);
            case IdempotencyBegin.InProgress:
                return TypedResults.Problem("The first request with this Idempotency-Key is still being processed; retry shortly.",
                    statusCode: StatusCodes.Status409Conflict, title: "Request in progress");
            case IdempotencyBegin.BodyMismatch:
                return TypedResults.Problem("This Idempotency-Key was already used with a different body.",
                    statusCode: StatusCodes.Status422UnprocessableEntity, title: "Idempotency-Key reused");
        }

        var attempt = ((IdempotencyBegin.Started)begin).Attempt;
        IdempotentResponse result;
        try
        {
            result = await work(new IdempotentRequest(body, (status, type, text) => store.TrackCompletion(policy.Scope, key, attempt, status, type, text)), ct);
            if (!result.Stored)
                await store.CompleteAsync(policy.Scope, key, attempt, result.Status, result.ContentType, result.Body, CancellationToken.None);
        }
        catch (DbUpdateConcurrencyException)
        {
            // This request ran so long that a retry took the key over (the policy's StaleAfter); the retry owns it now,
            // and this request's transaction stored nothing.
            return TypedResults.Problem("A newer request with this Idempotency-Key took it over; retry shortly.",
                statusCode: StatusCodes.Status409Conflict, title: "Request in progress");
        }
        catch (Exception e)
        {
            // Nothing was committed for a failed request: free the key so the client's retry runs it afresh.
            var claimed = store.HoldsClaim;
            await store.AbandonAsync(policy.Scope, key, attempt);
            store.Release();
            // Another process on the same SQLite file finished this key first (its row won): answer as a replay.
            if (claimed && e is DbUpdateException
                && await store.BeginAsync(policy.Scope, key, hash, policy.StaleAfter, ct) is IdempotencyBegin.Replay replay)
                return TypedResults.Content(replay.Body, replay.ContentType, Encoding.UTF8, replay.StatusCode);
            throw;
        }
        finally
        {
            store.Release();
        }
        return TypedResults.Content(result.Body, result.ContentType, Encoding.UTF8, result.Status);
    }

    /// <summary>The whole body, or null when it exceeds <paramref name="max"/> bytes (reading stops there).</summary>
    private static async Task<byte[]?> ReadLimitedAsync(Stream body, int max, CancellationToken ct)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[8192];
        int n;
        while ((n = await body.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + n > max) return null;
            buffer.Write(chunk, 0, n);
        }
        return buffer.ToArray();
    }
}

public static class IdempotencyRegistration
{
    /// <summary>The idempotency protocol's services; safe to call from every feature that uses it.</summary>
    public static IServiceCollection AddIdempotency(this IServiceCollection services)
    {
        services.TryAddScoped<IdempotencyStore>();
        services.TryAddScoped<IdempotentRequests>();
        services.TryAddSingleton<IdempotencyInFlight>();
        return services;
    }
}
