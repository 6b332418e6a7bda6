using Halo.Api.Data;
using Halo.Api.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using CheckStatus = Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus;

namespace Halo.Api.Features.Health;

public static class HealthEndpoints
{
    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder app)
    {
        _ = app.ServiceProvider.GetRequiredService<HealthStart>();
        var group = app.MapGroup("/health").WithTags("Health").AllowAnonymous();
        group.MapGet("/", () => TypedResults.Ok(new HealthStatus("ok")))
            .WithSummary("Liveness: the process is up.");
        group.MapGet("/ready", Ready)
            .WithSummary("Readiness: the store takes writes, its disk has room, Redis answers (when configured), the risk model and the police feed are fresh. 503 naming the failing checks when not.");
        return app;
    }

    /// <summary>Runs the readiness checks the store registered (<see cref="StoreHealthChecks"/>); each is bounded by its own timeout.</summary>
    private static async Task<Results<Ok<HealthStatus>, ProblemHttpResult>> Ready(HealthCheckService health, CancellationToken ct)
    {
        var report = await health.CheckHealthAsync(r => r.Tags.Contains(StoreHealthChecks.ReadyTag), ct);
        if (report.Status == CheckStatus.Healthy) return TypedResults.Ok(new HealthStatus("ready"));
        var failing = report.Entries.Where(e => e.Value.Status != CheckStatus.Healthy).ToDictionary(e => e.Key, e => Describe(e.Value));
        return TypedResults.Problem($"Failing: {string.Join(", ", failing.Keys)}.", statusCode: StatusCodes.Status503ServiceUnavailable,
            title: "Not ready", extensions: new Dictionary<string, object?> { ["checks"] = failing });
    }

    /// <summary>What failed, without server details (hosts, paths) for an anonymous caller; the log has the exception.</summary>
    private static string Describe(HealthReportEntry e) => e.Exception switch
    {
        null => e.Description ?? "failed",
        OperationCanceledException => $"no answer within {StoreHealthChecks.ProbeTimeoutSeconds} s",
        var ex => StoreErrors.Unavailable(ex) is { } reason ? $"cannot write now ({reason})" : "failed",
    };

    public sealed record HealthStatus(string Status);
}
