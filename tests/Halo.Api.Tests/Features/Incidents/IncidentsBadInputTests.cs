using System.Net;
using System.Text;
using Halo.Api.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Halo.Api.Tests.Features.Incidents;

/// <summary>Hostile and malformed requests get a 4xx ProblemDetails, never a 500, and change nothing stored.</summary>
public abstract class IncidentsBadInputTests(HaloApiFactory factory)
{
    private readonly HttpClient _client = factory.CreateClient();
    private readonly Lazy<Task<HttpClient>> _signedIn = new(() => factory.CreateClientAsAsync(Halo.Api.Features.Auth.Roles.Moderator));

    public static TheoryData<string> BadBodies()
    {
        var megabyte = new string('x', 1024 * 1024);
        var valid = """ "category":"theft","description":"d","occurred_at":"2025-03-14T10:00:00Z" """;
        return new TheoryData<string>
        {
            "{\"category\":",
            "not json at all",
            "[]",
            "null",
            "\"a string\"",
            "{" + valid + ",\"latitude\":\"north\",\"longitude\":18}",
            "{" + valid + ",\"latitude\":NaN,\"longitude\":18}",
            "{" + valid + ",\"latitude\":\"NaN\",\"longitude\":18}",
            "{" + valid + ",\"latitude\":Infinity,\"longitude\":18}",
            "{" + valid + ",\"latitude\":1e400,\"longitude\":18}",
            "{" + valid + ",\"latitude\":91,\"longitude\":18}",
            "{" + valid + ",\"latitude\":59,\"longitude\":-180.5}",
            "{" + valid + ",\"latitude\":59,\"longitude\":18,\"severity\":9}",
            "{" + valid + ",\"latitude\":59,\"longitude\":18,\"severity\":99999999999}",
            "{" + valid + ",\"latitude\":59,\"longitude\":18,\"severity\":\"high\"}",
            "{\"category\":\"nope\",\"description\":\"d\",\"occurred_at\":\"2025-03-14T10:00:00Z\",\"latitude\":59,\"longitude\":18}",
            "{\"category\":\"theft\",\"description\":\"" + megabyte + "\",\"occurred_at\":\"2025-03-14T10:00:00Z\",\"latitude\":59,\"longitude\":18}",
            "{\"category\":\"" + megabyte + "\",\"description\":\"d\",\"occurred_at\":\"2025-03-14T10:00:00Z\",\"latitude\":59,\"longitude\":18}",
            "{\"category\":\"theft\",\"description\":\"   \",\"occurred_at\":\"2025-03-14T10:00:00Z\",\"latitude\":59,\"longitude\":18}",
            "{\"category\":\"theft\",\"description\":\"d\",\"occurred_at\":\"2099-01-01T00:00:00Z\",\"latitude\":59,\"longitude\":18}",
            "{\"category\":\"theft\",\"description\":\"d\",\"occurred_at\":\"yesterday\",\"latitude\":59,\"longitude\":18}",
            "{\"category\":\"theft\",\"description\":\"a\\u0000b\",\"occurred_at\":\"2025-03-14T10:00:00Z\",\"latitude\":59,\"longitude\":18}",
            "{\"category\":\"theft'; DROP TABLE incidents;--\",\"description\":\"<script>alert(1)</script>\",\"occurred_at\":\"2025-03-14T10:00:00Z\",\"latitude\":59,\"longitude\":18}",
            "{\"category\":\"theft\",\"occurred_at\":\"2025-03-14T10:00:00Z\"}",
        };
    }

    [Theory]
    [MemberData(nameof(BadBodies))]
    public async Task RejectsMalformedOrInvalidIncidentBodies(string body)
    {
        var before = await CountRows();

        var client = await _signedIn.Value;
        var res = await client.PostAsync("/api/v1/incidents", new StringContent(body, Encoding.UTF8, "application/json"));

        await AssertProblem(res);
        Assert.Equal(before, await CountRows());
    }

    [Fact]
    public async Task RejectsANonJsonContentType()
    {
        var before = await CountRows();
        var client = await _signedIn.Value;
        var res = await client.PostAsync("/api/v1/incidents", new StringContent("category=theft", Encoding.UTF8, "text/plain"));
        await AssertProblem(res);
        Assert.Equal(before, await CountRows());
    }

    [Theory]
    [InlineData("lat=abc&lon=18&radius_km=1")]
    [InlineData("lat=59&lon=18&radius_km=1e308")]
    [InlineData("lat=59&lon=18&radius_km=NaN")]
    [InlineData("lat=59&lon=18")]
    [InlineData("lat=95&lon=18&radius_km=1")]
    [InlineData("limit=100000")]
    [InlineData("limit=-1")]
    [InlineData("limit=1.5")]
    [InlineData("cursor=garbage")]
    [InlineData("cursor=MTIzOmFiYw")]
    [InlineData("bbox=1,2,3")]
    [InlineData("bbox=a,b,c,d")]
    [InlineData("bbox=18,60,19,59")]
    [InlineData("category=%3Cscript%3E")]
    [InlineData("severity_min=NaN")]
    [InlineData("severity_min=4&severity_max=2")]
    [InlineData("from=yesterday")]
    [InlineData("from=2025-03-01&to=2025-02-01")]
    [InlineData("rolling_days=0")]
    [InlineData("rolling_days=99999999999")]
    [InlineData("verified_only=maybe")]
    public async Task RejectsBadQueryParameters(string query)
    {
        var res = await _client.GetAsync("/api/v1/incidents?" + query);
        await AssertProblem(res);
        Assert.Equal(HttpStatusCode.BadRequest, res.StatusCode);
    }

    [Theory]
    [InlineData("/api/v1/incidents/nearby?lat=59")]
    [InlineData("/api/v1/incidents/nearby?lat=59&lon=999&radius_km=1")]
    [InlineData("/api/v1/incidents/nearby?lat=59&lon=18&radius_km=-2")]
    public async Task RejectsBadNearbyQueries(string url)
    {
        var res = await _client.GetAsync(url);
        await AssertProblem(res);
    }

    private static async Task AssertProblem(HttpResponseMessage res)
    {
        var body = await res.Content.ReadAsStringAsync();
        Assert.True((int)res.StatusCode is >= 400 and < 500, $"{(int)res.StatusCode}: {body}");
        Assert.Equal("application/problem+json", res.Content.Headers.ContentType?.MediaType);
        Assert.DoesNotContain("   at ", body); // no stack trace
    }

    private Task<int> CountRows() => factory.WithDb(db => db.Incidents.CountAsync());
}

public sealed class IncidentsBadInputSqliteTests(SqliteApiFactory f) : IncidentsBadInputTests(f), IClassFixture<SqliteApiFactory>;

public sealed class IncidentsBadInputPostgresTests(PostgresApiFactory f) : IncidentsBadInputTests(f), IClassFixture<PostgresApiFactory>;
