using Halo.Api.Features.Auth;
using Halo.Api.Infrastructure.RateLimiting;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Halo.Api.Features.Classification;

public static class ClassificationEndpoints
{
    public static IEndpointRouteBuilder MapClassification(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/v1/classify", Classify)
            .WithTags("Classification")
            .WithSummary("Suggests the category and severity of a report from its description (and optional sensors).")
            .AllowAnonymous()
            .RequireRateLimiting(RateLimitPolicies.Classify);

        app.MapPost("/api/v1/admin/classifier/retrain", Retrain)
            .WithTags("Admin")
            .RequireAuthorization(Policies.Admin)
            .RequireRateLimiting(RateLimitPolicies.Admin)
            .WithSummary("Starts retraining the classifier in the background; 202 with the version being trained.");
        return app;
    }

    private static Results<Ok<ClassifyResponse>, ValidationProblem, ProblemHttpResult> Classify(ClassifyRequest? request, ClassifierService classifier)
    {
        if (request is null)
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["body"] = ["A JSON body is required."] });
        var errors = request.Validate();
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors);
        var result = classifier.Classify(request);
        return result is null
            ? TypedResults.Problem("The classifier is still being trained; try again in a minute.",
                statusCode: StatusCodes.Status503ServiceUnavailable, title: "Model not ready")
            : TypedResults.Ok(result);
    }

    private static Accepted<RetrainAccepted> Retrain(ClassifierService classifier)
    {
        var (version, running) = classifier.StartRetrain();
        return TypedResults.Accepted((string?)null, new RetrainAccepted(version, running));
    }
}
