using Halo.Api.Features.Auth;
using Halo.Api.Features.Predictions;
using Halo.Api.Infrastructure.RateLimiting;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Halo.Api.Features.Training;

public static class TrainingEndpoints
{
    public static IEndpointRouteBuilder MapTraining(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/admin/retrain").WithTags("Admin")
            .RequireAuthorization(Policies.Admin).RequireRateLimiting(RateLimitPolicies.Admin);
        group.MapPost("/trigger", Trigger)
            .WithSummary("Starts retraining the risk model and the classifier; 202 with the job (the running one if a job is already running).");
        group.MapGet("/{id}", Status).WithSummary("A retrain job's state, chosen model and validation metrics.");
        return app;
    }

    private static Accepted<RetrainJobDto> Trigger(RetrainJobs jobs)
    {
        var (job, _) = jobs.Trigger("api");
        return TypedResults.Accepted($"/api/v1/admin/retrain/{job.Id}", job.ToDto());
    }

    private static Results<Ok<RetrainJobDto>, NotFound<ProblemDetails>> Status(string id, RetrainJobs jobs) =>
        jobs.Find(id) is { } job
            ? TypedResults.Ok(job.ToDto())
            : TypedResults.NotFound(new ProblemDetails { Title = "Unknown job", Detail = "No retrain job has this id.", Status = 404 });
}
