using System.Security.Claims;
using Halo.Api.Data;
using Halo.Api.Features.Audit;
using Halo.Api.Features.Auth;
using Halo.Api.Infrastructure.RateLimiting;
using Halo.Api.Features.Geo;
using Halo.Api.Features.Taxonomy;
using Halo.Api.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Halo.Api.Features.Incidents;

public static class IncidentsEndpoints
{
    public static WebApplicationBuilder AddIncidents(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<IncidentsOptions>().Bind(builder.Configuration.GetSection(IncidentsOptions.Section))
            .ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<DenseScanSplit>();
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, IncidentJsonContext.Default));
        return builder;
    }

    public static IEndpointRouteBuilder MapIncidents(this IEndpointRouteBuilder app)
    {
        var reads = app.MapGroup("/api/v1/incidents").WithTags("Incidents").AllowAnonymous().RequireRateLimiting(RateLimitPolicies.Reads);
        reads.MapGet("/", List).WithSummary("Incidents, newest first, filtered; keyset pagination via next_cursor.");
        reads.MapGet("/{id:guid}", Get).WithSummary("One incident.");
        reads.MapGet("/nearby", Nearby).WithSummary("Incidents within radius_km of lat/lon, nearest first, with distance_m.");
        reads.MapGet("/stats/summary", Stats).WithSummary("Counts by category, severity and source, and for the last 24 h / 7 d / 30 d.");

        // Citizens report through /api/v1/reports/submit only (clustered, published as a cell). These write official
        // incidents in Halo's own name, at the position given, so they are for staff.
        var writes = app.MapGroup("/api/v1/incidents").WithTags("Incidents").RequireAuthorization(Policies.Moderator);
        writes.MapPost("/", Create).RequireRateLimiting(RateLimitPolicies.ReportSubmit)
            .WithSummary("Posts a staff incident (moderators and admins); citizens use /api/v1/reports/submit.");
        writes.MapPut("/{id:guid}", Update).RequireRateLimiting(RateLimitPolicies.ReportSubmit)
            .WithSummary("Edits a staff incident (its author or an admin).");
        writes.MapDelete("/{id:guid}", Delete).RequireRateLimiting(RateLimitPolicies.ReportSubmit)
            .WithSummary("Soft-deletes a staff incident (its author or an admin), with an audit entry.");
        return app;
    }

    // Pages are written by the source-generated context in one pass (FastJsonResult, ADR 4): the API-wide options carry
    // an enum converter and the streaming writer drops the fast path for large bodies.
    private static async Task<Results<FastJsonResult<IncidentPage>, ValidationProblem>> List(
        [AsParameters] IncidentQueryParameters query, HaloDbContext db, IOptions<IncidentsOptions> options, DenseScanSplit splits, TimeProvider clock, CancellationToken ct)
    {
        var v = new Validation();
        var filter = query.Parse(v, options.Value, clock.GetUtcNow().UtcDateTime);
        if (!v.IsValid) return TypedResults.ValidationProblem(v.Errors);
        var page = await IncidentSearch.PageAsync(db, filter, options.Value.DenseScanRows, splits, ct);
        return new FastJsonResult<IncidentPage>(page, IncidentJsonContext.Default.IncidentPage);
    }

    private static async Task<Results<Ok<IncidentDto>, NotFound>> Get(Guid id, HaloDbContext db, CancellationToken ct)
    {
        var incident = await IncidentSearch.Visible(db).FirstOrDefaultAsync(i => i.Id == id, ct);
        return incident is null ? TypedResults.NotFound() : TypedResults.Ok(incident.ToDto());
    }

    private static async Task<Results<FastJsonResult<NearbyResult>, ValidationProblem>> Nearby(
        [AsParameters] IncidentQueryParameters query, HaloDbContext db, IOptions<IncidentsOptions> options, TimeProvider clock, CancellationToken ct)
    {
        var v = new Validation();
        var filter = query.Parse(v, options.Value, clock.GetUtcNow().UtcDateTime);
        if (query.Lat is null || query.Lon is null) v.Add("lat", "lat and lon are required.");
        if (filter.Bbox is not null) v.Add("bbox", "Not supported here; use lat, lon and radius_km.");
        if (query.Cursor is not null) v.Add("cursor", "Nearby results are not paged; narrow radius_km or raise limit.");
        if (!v.IsValid) return TypedResults.ValidationProblem(v.Errors);
        if (filter.Circle is null)
        {
            var lat = double.Parse(query.Lat!, System.Globalization.CultureInfo.InvariantCulture);
            var lon = double.Parse(query.Lon!, System.Globalization.CultureInfo.InvariantCulture);
            filter.Circle = (lat, lon, 5_000);
        }
        var items = await IncidentSearch.NearbyAsync(db, filter, filter.Limit, ct);
        var c = filter.Circle.Value;
        return new FastJsonResult<NearbyResult>(new NearbyResult(items, items.Count, c.Lat, c.Lon, c.RadiusM / 1000), IncidentJsonContext.Default.NearbyResult);
    }

    private static async Task<Results<Created<IncidentDto>, ValidationProblem>> Create(
        CreateIncidentRequest body, ClaimsPrincipal user, HaloDbContext db, IOptions<IncidentsOptions> options, TimeProvider clock,
        Live.ILiveNotifications live, CancellationToken ct)
    {
        var o = options.Value;
        var now = clock.GetUtcNow().UtcDateTime;
        var v = new Validation();
        if (body is null) { v.Add("body", "A JSON body is required."); return TypedResults.ValidationProblem(v.Errors); }
        var category = v.Text("category", body.Category, 32, required: true);
        if (category is not null && !HaloTaxonomy.IsKnown(category))
            v.Add("category", $"Unknown category. Known: {string.Join(", ", HaloTaxonomy.Categories.Select(c => c.Code))}.");
        var description = v.Text("description", body.Description, o.MaxDescriptionLength, required: true);
        var title = v.Text("title", body.Title, 200);
        var locationName = v.Text("location_name", body.LocationName, 200);
        if (body.Latitude is null) v.Add("latitude", "Is required.");
        if (body.Longitude is null) v.Add("longitude", "Is required.");
        var lat = v.Range("latitude", body.Latitude, -90, 90);
        var lon = v.Range("longitude", body.Longitude, -180, 180);
        var accuracy = v.Range("accuracy_m", body.AccuracyM, 0, 100_000);
        if (body.Severity is < 1 or > 5) v.Add("severity", "Must be between 1 and 5.");
        if (body.OccurredAt is null) v.Add("occurred_at", "Is required.");
        var occurredAt = body.OccurredAt?.Kind == DateTimeKind.Unspecified
            ? DateTime.SpecifyKind(body.OccurredAt.Value, DateTimeKind.Utc) : body.OccurredAt?.ToUniversalTime();
        if (occurredAt > now.AddSeconds(o.FutureSkewSeconds)) v.Add("occurred_at", "Must not be in the future.");
        if (occurredAt < now.AddYears(-1)) v.Add("occurred_at", "Must be within the last year.");
        if (!v.IsValid) return TypedResults.ValidationProblem(v.Errors);

        var cat = HaloTaxonomy.ByCode[category!];
        var incident = new Incident
        {
            Id = Guid.CreateVersion7(clock.GetUtcNow()),
            Source = IncidentSources.Staff,
            RawType = cat.Code,
            Category = cat.Code,
            Severity = body.Severity ?? cat.DefaultSeverity,
            Title = title ?? cat.NameEn,
            Summary = description,
            OccurredAt = occurredAt!.Value,
            PublishedAt = now,
            Latitude = lat!.Value,
            Longitude = lon!.Value,
            LocationName = locationName,
            LocationPrecisionM = accuracy ?? 50,
            H3Res9 = GeoCells.Cell(lat.Value, lon.Value, GeoCells.FineResolution),
            H3Res7 = GeoCells.Cell(lat.Value, lon.Value, GeoCells.CoarseResolution),
            Status = IncidentStatus.Active,
            IsVerified = true,
            CreatedByUserId = user.UserId(),
            CreatedAt = now,
            UpdatedAt = now,
        };
        db.Incidents.Add(incident);
        await db.SaveChangesAsync(ct);
        live.IncidentChanged(incident.Id, Live.LiveChange.Created);
        return TypedResults.Created($"/api/v1/incidents/{incident.Id}", incident.ToDto());
    }

    /// <summary>Loads a staff incident the caller may change: 404 unknown, 409 another source's, 403 someone else's.</summary>
    private static async Task<(Incident? Incident, IResult? Error)> Editable(Guid id, ClaimsPrincipal user, HaloDbContext db, CancellationToken ct)
    {
        var incident = await db.Incidents.FirstOrDefaultAsync(i => i.Id == id && i.Status != IncidentStatus.Deleted, ct);
        if (incident is null) return (null, TypedResults.NotFound());
        if (incident.Source != IncidentSources.Staff)
            return (null, TypedResults.Problem("Only staff incidents are edited here; police events are read-only and citizen clusters are moderated.",
                statusCode: StatusCodes.Status409Conflict, title: "Read-only"));
        if (!user.IsAdmin() && (incident.CreatedByUserId is null || incident.CreatedByUserId != user.UserId()))
            return (null, TypedResults.Problem("Only the incident's owner or an admin may change it.", statusCode: StatusCodes.Status403Forbidden, title: "Forbidden"));
        return (incident, null);
    }

    private static async Task<IResult> Update(Guid id, UpdateIncidentRequest body, ClaimsPrincipal user, HaloDbContext db,
        IOptions<IncidentsOptions> options, TimeProvider clock, Live.ILiveNotifications live, CancellationToken ct)
    {
        var v = new Validation();
        var category = v.Text("category", body.Category, 32);
        if (category is not null && !HaloTaxonomy.IsKnown(category)) v.Add("category", "Unknown category.");
        var description = v.Text("description", body.Description, options.Value.MaxDescriptionLength);
        var title = v.Text("title", body.Title, 200);
        if (body.Severity is < 1 or > 5) v.Add("severity", "Must be between 1 and 5.");
        if (!v.IsValid) return TypedResults.ValidationProblem(v.Errors);
        var (incident, error) = await Editable(id, user, db, ct);
        if (error is not null) return error;
        if (category is not null) incident!.Category = incident.RawType = HaloTaxonomy.ByCode[category].Code;
        if (description is not null) incident!.Summary = description;
        if (title is not null) incident!.Title = title;
        if (body.Severity is { } sev) incident!.Severity = sev;
        incident!.UpdatedAt = clock.GetUtcNow().UtcDateTime;
        await db.SaveChangesAsync(ct);
        live.IncidentChanged(id, Live.LiveChange.Updated);
        return TypedResults.Ok(incident.ToDto());
    }

    private static async Task<IResult> Delete(Guid id, ClaimsPrincipal user, HaloDbContext db, TimeProvider clock, Live.ILiveNotifications live,
        CancellationToken ct)
    {
        var (incident, error) = await Editable(id, user, db, ct);
        if (error is not null) return error;
        var now = clock.GetUtcNow().UtcDateTime;
        AuditLog.Record(db, now, user.UserId().ToString()!, "incident.deleted", "incident", id.ToString(),
            before: incident!.Status, after: IncidentStatus.Deleted);
        incident.Status = IncidentStatus.Deleted;
        incident.UpdatedAt = now;
        await db.SaveChangesAsync(ct);
        live.IncidentChanged(id, Live.LiveChange.Updated);
        return TypedResults.NoContent();
    }

    private static async Task<Ok<IncidentStats>> Stats(HaloDbContext db, TimeProvider clock, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var visible = IncidentSearch.Visible(db);
        var incidents = visible.Where(i => i.IsIncident);
        var byCategory = await incidents.GroupBy(i => i.Category).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(ct);
        var bySeverity = await incidents.GroupBy(i => i.Severity).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(ct);
        var bySource = await incidents.GroupBy(i => i.Source).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(ct);
        var d1 = now.AddDays(-1);
        var d7 = now.AddDays(-7);
        var d30 = now.AddDays(-30);
        var last24 = await incidents.CountAsync(i => i.OccurredAt >= d1 && i.OccurredAt <= now, ct);
        var last7 = await incidents.CountAsync(i => i.OccurredAt >= d7 && i.OccurredAt <= now, ct);
        var last30 = await incidents.CountAsync(i => i.OccurredAt >= d30 && i.OccurredAt <= now, ct);
        var nonIncidents = await visible.CountAsync(i => !i.IsIncident, ct);
        var newest = await incidents.OrderByDescending(i => i.OccurredAt).Select(i => (DateTime?)i.OccurredAt).FirstOrDefaultAsync(ct);
        return TypedResults.Ok(new IncidentStats(
            byCategory.Sum(x => x.Count),
            nonIncidents,
            byCategory.OrderBy(x => x.Key, StringComparer.Ordinal).ToDictionary(x => x.Key, x => x.Count),
            bySeverity.OrderBy(x => x.Key).ToDictionary(x => x.Key.ToString(System.Globalization.CultureInfo.InvariantCulture), x => x.Count),
            bySource.OrderBy(x => x.Key, StringComparer.Ordinal).ToDictionary(x => x.Key, x => x.Count),
            last24, last7, last30, newest, now));
    }
}
