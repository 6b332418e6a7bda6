using Halo.Api.Features.Auth;
using Halo.Api.Features.Classification;
using Halo.Api.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using static Halo.Api.Tests.Features.Reports.ReportTestHelpers;

namespace Halo.Api.Tests.Features.Classification;

/// <summary>Reports' user-confirmed categories become training examples; rejected clusters' reports do not.</summary>
public sealed class CitizenFeedbackTests(SqliteApiFactory factory) : IClassFixture<SqliteApiFactory>
{
    [Fact]
    public async Task ConfirmedReportsBecomeExamplesAndRejectedOnesDoNot()
    {
        var client = factory.CreateClient();
        var (lat, lon) = NewPlace();
        var kept = await client.SubmitOk(Body(NewDevice(), lat, lon, factory.Now().AddMinutes(-10), "vandalism", "Någon sprejade klotter på skolan"));
        var (lat2, lon2) = NewPlace();
        var rejected = await client.SubmitOk(Body(NewDevice(), lat2, lon2, factory.Now().AddMinutes(-10), "fire", "Prank text that was rejected"));
        var moderator = await factory.CreateClientAsAsync(Roles.Moderator);
        var reject = await moderator.PostAsync($"/api/v1/moderation/clusters/{rejected.IncidentId}/reject",
            System.Net.Http.Json.JsonContent.Create(new { reason = "prank" }));
        Assert.True(reject.IsSuccessStatusCode);

        await using var scope = factory.Scope();
        var source = scope.ServiceProvider.GetServices<IClassifierExampleSource>().OfType<CitizenExampleSource>().Single();
        var examples = await source.GetExamplesAsync(DateTime.MinValue, DateTime.MaxValue, CancellationToken.None);

        Assert.Contains(examples, e => e.Text == "Någon sprejade klotter på skolan" && e.Category == "vandalism" && e.Source == "citizen");
        Assert.DoesNotContain(examples, e => e.Text.Contains("Prank", StringComparison.Ordinal));
        Assert.NotNull(await source.NewestAsync(CancellationToken.None));
        Assert.NotEqual(kept.IncidentId, rejected.IncidentId);
    }
}
