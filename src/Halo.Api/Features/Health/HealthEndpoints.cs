using Halo.Api.Data;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Halo.Api.Features.Health;

public static class HealthEndpoints
{
    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/health").WithTags("Health").AllowAnonymous();
        group.MapGet("/", () => TypedResults.Ok(new HealthStatus("ok")))
            .WithSummary("Liveness: the process is up.");
        group.MapGet("/ready", Ready)
            .WithSummary("Readiness: the database answers. 503 when it does not.");
        return app;
    }

    private static async Task<Results<Ok<HealthStatus>, ProblemHttpResult>> Ready(HaloDbContext db, CancellationToken ct)
    {
        try
        {
            if (await db.Database.CanConnectAsync(ct)) return TypedResults.Ok(new HealthStatus("ready"));
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Fall through: the answer is "not ready", never a 500.
        }
        return TypedResults.Problem("The database is not reachable.", statusCode: StatusCodes.Status503ServiceUnavailable, title: "Not ready");
    }

    public sealed record HealthStatus(string Status);
}
