using Halo.Api.Data;
using Halo.Api.Features.Auth;
using Halo.Api.Infrastructure.RateLimiting;
using Halo.Api.Features.Incidents;
using Halo.Api.Features.Ingestion.Polisen;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Halo.Api.Features.Ingestion;

public sealed record IngestionRunDto(
    Guid Id, string Source, string Trigger, DateTime StartedAt, DateTime? FinishedAt, bool Succeeded,
    int Fetched, int New, int Updated, int Unchanged, int Rejected, string? Error, int? HttpStatus,
    DateTime? NewestEventAt, double? LagSeconds)
{
    public static IngestionRunDto From(IngestionRun r) => new(r.Id, r.Source, r.Trigger, r.StartedAt, r.FinishedAt, r.Succeeded,
        r.Fetched, r.New, r.Updated, r.Unchanged, r.Rejected, r.Error, r.HttpStatus, r.NewestEventAt, r.LagSeconds);
}

/// <summary>
/// Stored police incidents of one type the taxonomy does not know, by the category they were given and how
/// (<see cref="Taxonomy.CategoryInference"/>): the operator's cue to add the type to the mapping.
/// </summary>
public sealed record UnknownTypeDto(string RawType, string Category, string InferredBy, int Incidents);

public sealed record IngestionStatusDto(
    bool Enabled, string BaseUrl, double IntervalSeconds, bool Running, int IncidentsStored,
    int RunsTotal, int FailedRunsTotal, IngestionRunDto? LastRun, IngestionRunDto? LastSuccess, IngestionRunDto? LastFailure,
    IReadOnlyList<IngestionRunDto> RecentRuns, int UnknownTypeIncidents, IReadOnlyList<UnknownTypeDto> UnknownTypes);

public static class IngestionEndpoints
{
    private const int RecentRunCount = 50;
    private const int UnknownTypesShown = 100;

    /// <summary>Admin endpoints for the police poller, for the admin role only.</summary>
    public static RouteGroupBuilder MapIngestionEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/admin/ingestion").WithTags("Admin")
            .RequireAuthorization(Policies.Admin).RequireRateLimiting(RateLimitPolicies.Admin);
        group.MapGet("/status", GetStatusAsync)
            .WithSummary("Poller configuration, the latest runs, every recent failure, and the police types the taxonomy does not know.");
        group.MapPost("/trigger", TriggerAsync).WithSummary("Runs the police poller now and returns the run.");
        return group;
    }

    private static async Task<Ok<IngestionStatusDto>> GetStatusAsync(
        HaloDbContext db, PolisenPoller poller, IOptions<PolisenPollerOptions> options, CancellationToken ct)
    {
        var runs = db.Set<IngestionRun>().AsNoTracking().Where(r => r.Source == IncidentSources.Polisen);
        var recent = await runs.OrderByDescending(r => r.StartedAt).Take(RecentRunCount).ToListAsync(ct);
        var lastSuccess = recent.FirstOrDefault(r => r.Succeeded)
            ?? await runs.Where(r => r.Succeeded).OrderByDescending(r => r.StartedAt).FirstOrDefaultAsync(ct);
        var lastFailure = recent.FirstOrDefault(r => !r.Succeeded)
            ?? await runs.Where(r => !r.Succeeded).OrderByDescending(r => r.StartedAt).FirstOrDefaultAsync(ct);
        var unknown = await db.Incidents.AsNoTracking()
            .Where(i => i.Source == IncidentSources.Polisen && i.CategoryInferredBy != null)
            .GroupBy(i => new { i.RawType, i.Category, i.CategoryInferredBy })
            .Select(g => new UnknownTypeDto(g.Key.RawType, g.Key.Category, g.Key.CategoryInferredBy!, g.Count()))
            .ToListAsync(ct);
        var o = options.Value;
        return TypedResults.Ok(new IngestionStatusDto(
            o.Enabled, o.BaseUrl, o.Interval.TotalSeconds, poller.IsRunning,
            await db.Incidents.CountAsync(i => i.Source == IncidentSources.Polisen, ct),
            await runs.CountAsync(ct), await runs.CountAsync(r => !r.Succeeded, ct),
            recent.FirstOrDefault() is { } last ? IngestionRunDto.From(last) : null,
            lastSuccess is null ? null : IngestionRunDto.From(lastSuccess),
            lastFailure is null ? null : IngestionRunDto.From(lastFailure),
            recent.Select(IngestionRunDto.From).ToList(),
            unknown.Sum(u => u.Incidents),
            [.. unknown.OrderByDescending(u => u.Incidents).ThenBy(u => u.RawType, StringComparer.Ordinal).Take(UnknownTypesShown)]));
    }

    private static async Task<Results<Ok<IngestionRunDto>, ProblemHttpResult>> TriggerAsync(
        PolisenPoller poller, IOptions<PolisenPollerOptions> options, CancellationToken ct)
    {
        if (!options.Value.Enabled)
            return TypedResults.Problem("The police poller is disabled (Ingestion:Polisen:Enabled=false).",
                statusCode: StatusCodes.Status409Conflict, title: "Poller disabled");
        var run = await poller.TryRunAsync(IngestionTriggers.Manual, ct);
        return run is null
            ? TypedResults.Problem("A poll is already running; see the status endpoint.", statusCode: StatusCodes.Status409Conflict, title: "Poll in progress")
            : TypedResults.Ok(IngestionRunDto.From(run));
    }
}
