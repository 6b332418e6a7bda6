using System.Net;
using Halo.Api.Features.Reports;
using Halo.Api.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using static Halo.Api.Tests.Features.Reports.ReportTestHelpers;

namespace Halo.Api.Tests.Features.Reports;

/// <summary>The report form's optional severity (1–5), once per provider.</summary>
public abstract class ReportSeverityTests(HaloApiFactory factory)
{
    private readonly HttpClient _client = factory.CreateClient();

    private Task<(int Incident, int? Report)> SeverityOf(SubmitReportResponse r) => factory.WithDb(async db =>
        (await db.Incidents.AsNoTracking().Where(i => i.Id == r.IncidentId).Select(i => i.Severity).SingleAsync(),
         await db.Set<CitizenReport>().AsNoTracking().Where(x => x.Id == r.ReportId).Select(x => x.Severity).SingleAsync()));

    [Theory]
    [InlineData(0)]
    [InlineData(6)]
    [InlineData(-3)]
    public async Task SeverityOutsideOneToFiveIs400NamingTheFieldAndStoresNothing(int severity)
    {
        var (lat, lon) = NewPlace();
        var before = await factory.WithDb(db => db.Set<CitizenReport>().CountAsync());
        var res = await _client.SubmitRaw(Body(NewDevice(), lat, lon, factory.Now().AddMinutes(-5), severity: severity));
        Assert.Equal(HttpStatusCode.BadRequest, res.StatusCode);
        var problem = await res.ReadJsonAsync();
        Assert.True(problem.GetProperty("errors").TryGetProperty("severity", out _), problem.ToString());
        Assert.Equal(before, await factory.WithDb(db => db.Set<CitizenReport>().CountAsync()));
    }

    [Fact]
    public async Task ANewClusterTakesTheReportersSeverityInsteadOfTheCategoryDefault()
    {
        var (lat, lon) = NewPlace();
        var given = await _client.SubmitOk(Body(NewDevice(), lat, lon, factory.Now().AddMinutes(-5), "theft", severity: 5));
        Assert.True(given.IsNewIncident);
        Assert.Equal((5, 5), await SeverityOf(given));

        // Without one, the category default (theft: 2), and the report row has none.
        var (lat2, lon2) = TestIncidents.Offset(lat, lon, 3_000, 90);
        var plain = await _client.SubmitOk(Body(NewDevice(), lat2, lon2, factory.Now().AddMinutes(-5), "theft"));
        Assert.True(plain.IsNewIncident);
        Assert.Equal((2, (int?)null), await SeverityOf(plain));
    }

    [Fact]
    public async Task AJoiningReportRaisesTheClusterSeverityToTheMaximumButNeverLowersIt()
    {
        var (lat, lon) = NewPlace();
        var t = factory.Now().AddMinutes(-10);
        var first = await _client.SubmitOk(Body(NewDevice(), lat, lon, t, "theft"));
        Assert.Equal((2, (int?)null), await SeverityOf(first));

        var higher = await _client.SubmitOk(Body(NewDevice(), lat, lon, t.AddMinutes(1), "theft", severity: 4));
        Assert.Equal(first.IncidentId, higher.IncidentId);
        Assert.Equal((4, 4), await SeverityOf(higher));

        var lower = await _client.SubmitOk(Body(NewDevice(), lat, lon, t.AddMinutes(2), "theft", severity: 1));
        Assert.Equal(first.IncidentId, lower.IncidentId);
        Assert.Equal((4, 1), await SeverityOf(lower));

        var none = await _client.SubmitOk(Body(NewDevice(), lat, lon, t.AddMinutes(3), "theft"));
        Assert.Equal((4, (int?)null), await SeverityOf(none));
    }
}

public sealed class ReportSeveritySqliteTests(SqliteApiFactory f) : ReportSeverityTests(f), IClassFixture<SqliteApiFactory>;

public sealed class ReportSeverityPostgresTests(PostgresApiFactory f) : ReportSeverityTests(f), IClassFixture<PostgresApiFactory>;
