using Halo.Api.Infrastructure.RateLimiting;
using Halo.Api.Features.Auth;
using System.Text.Json;
using Halo.Api.Data;
using Halo.Api.Features.Incidents;
using Halo.Api.Infrastructure;
using Halo.Api.Infrastructure.Idempotency;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Quartz;

namespace Halo.Api.Features.Reports;

public static class ReportsEndpoints
{
    public const string IdempotencyScope = "reports.submit";

    public static WebApplicationBuilder AddReports(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<ReportsOptions>().Bind(builder.Configuration.GetSection(ReportsOptions.Section))
            .Configure<IOptions<IncidentsOptions>>((o, incidents) =>
            {
                o.MaxDescriptionLength = incidents.Value.MaxDescriptionLength;
                o.FutureSkewSeconds = incidents.Value.FutureSkewSeconds;
            })
            .ValidateDataAnnotations()
            .Validate(o => o.CandidateRadiusM > o.SpatialFullScoreM, "Reports:CandidateRadiusM must exceed SpatialFullScoreM.")
            .Validate(o => o.CandidateWindowHours > o.TemporalFullScoreHours, "Reports:CandidateWindowHours must exceed TemporalFullScoreHours.")
            .Validate(o => !o.RetentionJobEnabled || CronExpression.TryParse(o.RetentionCron, out _),
                "Reports:RetentionCron is not a valid Quartz cron expression (seconds first, e.g. \"0 15 3 * * ?\" for 03:15 UTC daily).")
            .Validate(o => o.SparsePublicResolution <= o.PublicResolution, "Reports:SparsePublicResolution must not be finer than PublicResolution.")
            .ValidateOnStart();
        builder.Services.AddSingleton<DeviceIdentity>().AddServerSecret(DeviceIdentity.Secret);
        builder.Services.AddSingleton<PublicPosition>();
        builder.Services.AddTransient<IDataFix, PublicCellsFix>();
        builder.Services.AddForProvider<ClusterLock, SqliteClusterLock, PostgresClusterLock>(builder.Configuration, ServiceLifetime.Singleton);
        builder.Services.AddForProvider<SubmissionReads, SqliteSubmissionReads, PostgresSubmissionReads>(builder.Configuration, ServiceLifetime.Singleton);
        builder.Services.AddScoped<ReportSubmitter>();
        builder.Services.AddIdempotency();
        builder.Services.AddScoped<ReportRetention>();

        var options = builder.Configuration.GetSection(ReportsOptions.Section).Get<ReportsOptions>() ?? new ReportsOptions();
        // A bad expression is reported by the validation above when the host starts, not scheduled here.
        if (options.RetentionJobEnabled && CronExpression.TryParse(options.RetentionCron, out var cron))
        {
            builder.Services.AddScheduledJobs(q => q.ScheduleJob<ReportRetentionJob>(
                trigger => trigger.WithIdentity(ReportRetentionJob.Name + "-daily").WithCronSchedule(cron, c => c.InTimeZone(TimeZoneInfo.Utc)),
                job => job.WithIdentity(ReportRetentionJob.Name)));
        }
        return builder;
    }

    public static IEndpointRouteBuilder MapReports(this IEndpointRouteBuilder app)
    {
        // Reporting is open to everyone, signed in or not; a signed-in reporter is linked to the report.
        var group = app.MapGroup("/api/v1/reports").WithTags("Reports").AllowAnonymous();
        group.MapPost("/submit", Submit)
            .RequireRateLimiting(RateLimitPolicies.ReportSubmit)
            .WithSummary("Submits a citizen report (Idempotency-Key header required); it joins or starts a cluster.")
            .Accepts<SubmitReportRequest>("application/json")
            .Produces<SubmitReportResponse>(StatusCodes.Status201Created)
            .Produces<DuplicateReportProblem>(StatusCodes.Status409Conflict, "application/problem+json")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        group.MapGet("/cluster/{id:guid}", GetCluster).RequireRateLimiting(RateLimitPolicies.Reads)
            .WithSummary("A citizen cluster and its reports (by cluster id, or by the official incident it corroborates).");
        group.MapGet("/stats", Stats).RequireRateLimiting(RateLimitPolicies.Reads).WithSummary("Citizen cluster and report counts.");
        group.MapGet("/cross-source-stats", CrossSource).RequireRateLimiting(RateLimitPolicies.Reads)
            .WithSummary("Official vs citizen incidents over the last days (Reports:CrossSourceWindowDays, or ?days=).");
        return app;
    }

    private static Task<Results<ContentHttpResult, ProblemHttpResult>> Submit(
        HttpContext http, IdempotentRequests idempotency, ReportSubmitter submitter, DeviceIdentity devices,
        IOptions<ReportsOptions> options, IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json, TimeProvider clock,
        Live.ILiveNotifications live, CancellationToken ct)
    {
        var o = options.Value;
        var policy = new IdempotencyPolicy(IdempotencyScope, o.MaxBodyBytes, TimeSpan.FromSeconds(o.IdempotencyStaleSeconds));
        return idempotency.RunAsync(http, policy, async (request, token) =>
        {
            var (status, type, body, stored) = await ProcessAsync(request.Body, http.User.UserId(), devices.NetworkHash(ClientNetwork.Of(http)),
                submitter, devices, o, json.Value.SerializerOptions, clock, request.CompleteInTransaction, live, token);
            return new IdempotentResponse(status, type, body, stored);
        }, ct);
    }

    /// <summary>
    /// Runs the submission and renders the exact bytes that are returned now and replayed later. A submission that
    /// reaches the cluster decision hands them to <paramref name="complete"/> inside its transaction (Stored = true);
    /// requests refused before it (bad JSON, invalid fields) leave the completion to the caller.
    /// </summary>
    private static async Task<(int, string, string, bool)> ProcessAsync(byte[] body, Guid? userId, string networkHash, ReportSubmitter submitter, DeviceIdentity devices,
        ReportsOptions o, JsonSerializerOptions json, TimeProvider clock, Action<int, string, string> complete, Live.ILiveNotifications live,
        CancellationToken ct)
    {
        SubmitReportRequest? request;
        try
        {
            request = JsonSerializer.Deserialize<SubmitReportRequest>(body, json);
        }
        catch (JsonException ex)
        {
            var where = ex.Path is null ? "" : $" at {ex.Path}";
            return (400, ProblemJson, Validation(new Dictionary<string, string[]> { ["body"] = [$"Malformed JSON or a wrong type{where}."] }, json), false);
        }

        var v = new Validation();
        var valid = ReportValidation.Validate(request, v, o, clock.GetUtcNow().UtcDateTime, devices);
        if (valid is null) return (400, ProblemJson, Validation(v.Errors, json), false);

        (int Status, string Type, string Body) rendered = (500, "", "");
        SubmitOutcome? last = null;
        await submitter.SubmitAsync(valid with { UserId = userId, NetworkHash = networkHash }, outcome =>
        {
            last = outcome;
            rendered = Render(outcome, json);
            complete(rendered.Status, rendered.Type, rendered.Body);
        }, ct);
        // Committed: the live hub publishes the cluster (at its published cell) and the official incident it corroborates.
        if (last is SubmitOutcome.Accepted { Response: var accepted })
        {
            live.IncidentChanged(accepted.IncidentId, accepted.IsNewIncident ? Live.LiveChange.Created : Live.LiveChange.Updated);
            if (accepted.MatchedOfficialIncidentId is { } official) live.IncidentChanged(official, Live.LiveChange.Updated);
        }
        return (rendered.Status, rendered.Type, rendered.Body, true);
    }

    private const string ProblemJson = "application/problem+json";

    private static (int, string, string) Render(SubmitOutcome outcome, JsonSerializerOptions json) => outcome switch
    {
        SubmitOutcome.Accepted a => (201, "application/json", JsonSerializer.Serialize(a.Response, json)),
        SubmitOutcome.Duplicate d => (409, ProblemJson, JsonSerializer.Serialize(new DuplicateReportProblem(
            "https://tools.ietf.org/html/rfc9110#section-15.5.10", "Already reported", 409,
            "This device already reported this incident; the existing report is named here.",
            d.Existing.Id, d.Existing.IncidentId, d.Existing.MatchedOfficialIncidentId, d.Existing.SubmittedAt), json)),
        SubmitOutcome.Invalid i => (400, ProblemJson, Validation(i.Errors, json)),
        _ => throw new InvalidOperationException("Unknown submission outcome."),
    };

    private static string Validation(IDictionary<string, string[]> errors, JsonSerializerOptions json) =>
        JsonSerializer.Serialize(new HttpValidationProblemDetails(errors)
        {
            Type = "https://tools.ietf.org/html/rfc9110#section-15.5.1",
            Title = "One or more validation errors occurred.",
            Status = 400,
        }, json);


    private static async Task<Results<Ok<ClusterDto>, NotFound>> GetCluster(Guid id, HaloDbContext db, CancellationToken ct)
    {
        var dto = await ClusterReader.ReadAsync(db, id, ct);
        return dto is null ? TypedResults.NotFound() : TypedResults.Ok(dto);
    }

    private static async Task<Ok<ReportStats>> Stats(HaloDbContext db, CancellationToken ct) =>
        TypedResults.Ok(await ReportStatistics.ReportStatsAsync(db, ct));

    private static async Task<Results<Ok<CrossSourceStats>, ValidationProblem>> CrossSource(
        [FromQuery(Name = "days")] string? days, HaloDbContext db, IOptions<ReportsOptions> options, TimeProvider clock, CancellationToken ct)
    {
        var v = new Validation();
        var window = v.Int("days", days, 1, 3650) ?? options.Value.CrossSourceWindowDays;
        if (!v.IsValid) return TypedResults.ValidationProblem(v.Errors);
        return TypedResults.Ok(await ReportStatistics.CrossSourceAsync(db, clock.GetUtcNow().UtcDateTime, window, ct));
    }
}

/// <summary>The public view of a cluster.</summary>
public static class ClusterReader
{
    /// <summary>The cluster by its own id or by the official incident it is linked to; null when unknown, rejected or merged away.</summary>
    public static async Task<ClusterDto?> ReadAsync(HaloDbContext db, Guid id, CancellationToken ct, bool includeHidden = false)
    {
        var cluster = await db.Set<ReportCluster>().AsNoTracking()
            .FirstOrDefaultAsync(c => c.IncidentId == id || c.OfficialIncidentId == id, ct);
        if (cluster is null) return null;
        var incident = await db.Incidents.AsNoTracking().FirstAsync(i => i.Id == cluster.IncidentId, ct);
        if (!includeHidden && incident.Status is IncidentStatus.Rejected or IncidentStatus.Deleted) return null;
        var reports = await db.Set<CitizenReport>().AsNoTracking().Where(r => r.IncidentId == cluster.IncidentId)
            .OrderBy(r => r.SubmittedAt).ThenBy(r => r.Id).ToListAsync(ct);
        return ToDto(cluster, incident, reports);
    }

    public static ClusterDto ToDto(ReportCluster c, Incident i, IReadOnlyList<CitizenReport> reports) => new(
        i.Id, c.OfficialIncidentId, i.Category, i.Status, i.IsVerified, c.ReportCount, c.UniqueReporters,
        ClusterScoring.Confidence(c.UniqueReporters), i.Latitude, i.Longitude, i.LocationPrecisionM,
        i.OccurredAt, i.CreatedAt, i.UpdatedAt, c.HasMedia,
        // Individual reports carry no position at all: the cluster's published cell is the only public one.
        reports.Select(r => new ClusterReportDto(r.Id, r.ReporterId, r.Category, r.Description, r.OccurredAt, r.SubmittedAt, r.MediaCount,
            r.MatchedOfficialIncidentId, r.AnonymisedAt is not null)).ToList());
}

public static class ReportStatistics
{
    /// <summary>Over citizen clusters that are neither rejected nor merged away (and the reports counted in them).</summary>
    public static async Task<ReportStats> ReportStatsAsync(HaloDbContext db, CancellationToken ct)
    {
        var clusters =
            from c in db.Set<ReportCluster>()
            join i in db.Incidents on c.IncidentId equals i.Id
            where i.Status != IncidentStatus.Rejected && i.Status != IncidentStatus.Deleted
            select new { i.Id, i.IsVerified, i.Status, c.UniqueReporters };
        var agg = await clusters.GroupBy(_ => 1).Select(g => new
        {
            Verified = g.Count(x => x.IsVerified),
            Unverified = g.Count(x => x.Status == IncidentStatus.Unverified),
            Count = g.Count(),
            Sum = g.Sum(x => x.UniqueReporters),
            Max = g.Max(x => x.UniqueReporters),
        }).FirstOrDefaultAsync(ct);
        if (agg is null) return new ReportStats(0, 0, 0, 0, 0);
        var reports = await db.Set<CitizenReport>().CountAsync(r => clusters.Any(c => c.Id == r.IncidentId), ct);
        return new ReportStats(agg.Verified, agg.Unverified, Math.Round((double)agg.Sum / agg.Count, 2), agg.Max, reports);
    }

    /// <summary>
    /// Incidents that occurred in the window: official ones (any non-citizen source) with or without a linked citizen
    /// cluster, and citizen incidents without an official link. A linked pair counts once, as cross-validated.
    /// </summary>
    public static async Task<CrossSourceStats> CrossSourceAsync(HaloDbContext db, DateTime now, int days, CancellationToken ct)
    {
        var from = now.AddDays(-days);
        var visible = db.Incidents.AsNoTracking().Where(i => i.IsIncident && i.OccurredAt >= from && i.OccurredAt <= now
            && i.Status != IncidentStatus.Rejected && i.Status != IncidentStatus.Deleted);
        var linkedOfficials =
            from c in db.Set<ReportCluster>()
            join ci in db.Incidents on c.IncidentId equals ci.Id
            where c.OfficialIncidentId != null && ci.Status != IncidentStatus.Rejected && ci.Status != IncidentStatus.Deleted
            select c.OfficialIncidentId;
        var officials = visible.Where(i => i.Source != IncidentSources.Citizen);
        var officialTotal = await officials.CountAsync(ct);
        var cross = await officials.CountAsync(i => linkedOfficials.Contains(i.Id), ct);
        var userOnly = await visible.Where(i => i.Source == IncidentSources.Citizen)
            .CountAsync(i => !db.Set<ReportCluster>().Any(c => c.IncidentId == i.Id && c.OfficialIncidentId != null), ct);
        var officialOnly = officialTotal - cross;
        var total = officialOnly + userOnly + cross;
        var rate = userOnly + cross == 0 ? 0 : Math.Round(100.0 * cross / (userOnly + cross), 1);
        var description = string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"Last {days} days: {total} incidents, {officialOnly} official only, {userOnly} citizen only and {cross} reported by both; {rate}% of citizen-reported incidents were confirmed by an official source.");
        return new CrossSourceStats(total, officialOnly, userOnly, cross, rate, days, from, now, description);
    }
}
