using System.Net;
using System.Net.Http.Json;
using System.Text;
using Halo.Api.Features.Auth;
using Halo.Api.Features.Incidents;
using Halo.Api.Tests.Infrastructure;

namespace Halo.Api.Tests.Security;

/// <summary>
/// Calls every endpoint of the live OpenAPI document as anonymous, citizen, moderator, admin and owner, and compares
/// who gets through with the table below. An endpoint missing from the table fails the test: each new endpoint must
/// declare who may call it.
/// </summary>
public sealed class AuthorizationMatrixTests(SqliteApiFactory factory) : IClassFixture<SqliteApiFactory>
{
    public enum Access { Public, SignedIn, OwnerOrAdmin, Moderator, Admin }

    private static readonly Dictionary<string, Access> Declared = new()
    {
        ["GET /health"] = Access.Public,
        ["GET /health/ready"] = Access.Public,
        ["GET /api/v1/incidents"] = Access.Public,
        ["GET /api/v1/incidents/{id}"] = Access.Public,
        ["GET /api/v1/incidents/nearby"] = Access.Public,
        ["GET /api/v1/incidents/stats/summary"] = Access.Public,
        ["POST /api/v1/incidents"] = Access.Moderator,
        ["PUT /api/v1/incidents/{id}"] = Access.OwnerOrAdmin,
        ["DELETE /api/v1/incidents/{id}"] = Access.OwnerOrAdmin,
        ["POST /api/v1/auth/register"] = Access.Public,
        ["POST /api/v1/auth/login"] = Access.Public,
        ["POST /api/v1/auth/refresh"] = Access.Public,
        ["POST /api/v1/auth/logout"] = Access.Public,
        ["GET /api/v1/me"] = Access.SignedIn,
        ["PATCH /api/v1/me"] = Access.SignedIn,
        ["DELETE /api/v1/me"] = Access.SignedIn,
        ["GET /api/v1/admin/users"] = Access.Admin,
        ["GET /api/v1/admin/ingestion/status"] = Access.Admin,
        ["POST /api/v1/admin/ingestion/trigger"] = Access.Admin,
        ["PUT /api/v1/admin/users/{id}/role"] = Access.Admin,
        ["POST /api/v1/classify"] = Access.Public,
        ["POST /api/v1/reports/submit"] = Access.Public,
        ["GET /api/v1/reports/cluster/{id}"] = Access.Public,
        ["GET /api/v1/reports/stats"] = Access.Public,
        ["GET /api/v1/reports/cross-source-stats"] = Access.Public,
        // Upload is open (anonymous reports carry evidence); reading others' media is hidden as 404 (see MediaAccessTests).
        ["POST /api/v1/media"] = Access.Public,
        ["GET /api/v1/media/{id}"] = Access.Public,
        ["GET /api/v1/moderation/queue"] = Access.Moderator,
        ["GET /api/v1/moderation/audit"] = Access.Moderator,
        ["GET /api/v1/moderation/clusters/{id}/positions"] = Access.Moderator,
        ["GET /api/v1/moderation/clusters/{id}/evidence"] = Access.Moderator,
        ["POST /api/v1/moderation/clusters/{id}/verify"] = Access.Moderator,
        ["POST /api/v1/moderation/clusters/{id}/reject"] = Access.Moderator,
        ["POST /api/v1/moderation/clusters/{id}/merge"] = Access.Moderator,
        ["POST /api/v1/admin/classifier/retrain"] = Access.Admin,
        ["GET /api/v1/predictions/hotspots"] = Access.Public,
        ["GET /api/v1/predictions/cell/{h3}"] = Access.Public,
        ["GET /api/v1/predictions/report-card"] = Access.Public,
        ["GET /api/v1/predictions/metrics"] = Access.Public,
        ["POST /api/v1/admin/retrain/trigger"] = Access.Admin,
        ["GET /api/v1/admin/retrain/{id}"] = Access.Admin,
        // Alerts belong to an account or, anonymously, to a device (X-Device-Id): open to both.
        ["GET /api/v1/me/alerts"] = Access.Public,
        ["PUT /api/v1/me/alerts"] = Access.Public,
        ["POST /api/v1/me/position"] = Access.Public,
        ["DELETE /api/v1/me/position"] = Access.Public,
        ["GET /api/v1/push/vapid-public-key"] = Access.Public,
        ["POST /api/v1/push/subscriptions"] = Access.Public,
        ["DELETE /api/v1/push/subscriptions"] = Access.Public,
    };

    private enum Caller { Anonymous, Citizen, Moderator, Admin, Owner }

    private static bool Expected(Access access, Caller caller) => access switch
    {
        Access.Public => true,
        Access.SignedIn => caller != Caller.Anonymous,
        Access.OwnerOrAdmin => caller is Caller.Owner or Caller.Admin,
        Access.Moderator => caller is Caller.Moderator or Caller.Admin or Caller.Owner, // staff incidents' owners are moderators
        Access.Admin => caller == Caller.Admin,
        _ => false,
    };

    [Fact]
    public async Task EveryEndpointAnswersEachRoleAsDeclared()
    {
        var endpoints = await OpenApiEndpoints.ReadAsync(factory);
        var undeclared = endpoints.Where(e => !Declared.ContainsKey(e.Key)).Select(e => e.Key).ToList();
        Assert.True(undeclared.Count == 0, "Endpoints without a declared access policy: " + string.Join(", ", undeclared));
        var stale = Declared.Keys.Except(endpoints.Select(e => e.Key)).ToList();
        Assert.True(stale.Count == 0, "Declared endpoints that no longer exist: " + string.Join(", ", stale));

        var mismatches = new List<string>();
        foreach (var e in endpoints)
        {
            foreach (var caller in Enum.GetValues<Caller>())
            {
                var status = await Call(e, caller);
                var allowed = status is not (HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden);
                if (allowed != Expected(Declared[e.Key], caller))
                    mismatches.Add($"{e.Key} as {caller}: {(int)status}, declared {Declared[e.Key]}");
                Assert.True((int)status < 500, $"{e.Key} as {caller} answered {(int)status}");
            }
        }
        Assert.True(mismatches.Count == 0, string.Join("\n", mismatches));
    }

    private async Task<HttpStatusCode> Call(ApiEndpoint e, Caller caller)
    {
        // Fresh accounts and a fresh owned incident per call: a DELETE must not change what the next call sees.
        var owner = await factory.CreateUserAsync(Roles.Moderator);
        var ownerClient = factory.CreateClientWithToken(owner.AccessToken);
        var created = await (await ownerClient.PostAsJsonAsync("/api/v1/incidents", new
        {
            category = "theft", description = "matrix", occurred_at = factory.Clock.GetUtcNow().AddMinutes(-5), latitude = 59.3, longitude = 18.0,
        })).ReadAsync<IncidentDto>();
        var client = caller switch
        {
            Caller.Anonymous => factory.CreateClient(),
            Caller.Owner => ownerClient,
            Caller.Citizen => await factory.CreateClientAsAsync(Roles.Citizen),
            Caller.Moderator => await factory.CreateClientAsAsync(Roles.Moderator),
            _ => await factory.CreateClientAsAsync(Roles.Admin),
        };
        var path = e.Path.Replace("{id}", e.Path.StartsWith("/api/v1/incidents", StringComparison.Ordinal) ? created.Id.ToString() : owner.User.Id.ToString());
        var request = new HttpRequestMessage(new HttpMethod(e.Method), path);
        if (e.HasBody) request.Content = new StringContent("{}", Encoding.UTF8, "application/json");
        return (await client.SendAsync(request)).StatusCode;
    }
}
