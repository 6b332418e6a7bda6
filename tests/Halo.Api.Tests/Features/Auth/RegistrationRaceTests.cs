using System.Net;
using System.Net.Http.Json;
using Halo.Api.Features.Auth;
using Halo.Api.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Halo.Api.Tests.Features.Auth;

/// <summary>Registrations of one address at the same moment: one account, and the rest told "taken" quietly.</summary>
public abstract class RegistrationRaceTests(DbProvider provider)
{
    [Fact]
    public async Task OfRegistrationsOfOneAddressRacingOneIsCreatedTheOthersAre409AndNoErrorIsLogged()
    {
        using var factory = new LogCapturingApiFactory(provider);
        var client = factory.CreateClient();
        var email = $"race{Guid.NewGuid():N}@example.org";

        // Each request hashes its password between the "taken?" check and the insert, so they pass the check together
        // and the insert decides.
        var answers = await Task.WhenAll(Enumerable.Range(0, 8).Select(i =>
            client.PostAsJsonAsync("/api/v1/auth/register", new { email, password = TestUsers.Password, display_name = $"racer {i}" })));

        Assert.Single(answers, a => a.StatusCode == HttpStatusCode.Created);
        Assert.All(answers.Where(a => a.StatusCode != HttpStatusCode.Created), a => Assert.Equal(HttpStatusCode.Conflict, a.StatusCode));
        var winner = await answers.Single(a => a.StatusCode == HttpStatusCode.Created).ReadAsync<AuthResponse>();
        var stored = await factory.WithDb(db => db.Set<User>().AsNoTracking().Where(u => u.Email == email).ToListAsync());
        var user = Assert.Single(stored);
        Assert.Equal(winner.User.Id, user.Id);
        Assert.Equal(winner.User.DisplayName, user.DisplayName);
        Assert.Equal(Roles.Citizen, user.Role);
        Assert.Equal(factory.Clock.GetUtcNow().UtcDateTime, user.CreatedAt);
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsJsonAsync("/api/v1/auth/login", new { email, password = TestUsers.Password })).StatusCode);
        Assert.DoesNotContain(factory.Logs.Entries, e => e.Level >= LogLevel.Error);
    }
}

public sealed class SqliteRegistrationRaceTests() : RegistrationRaceTests(DbProvider.Sqlite);
public sealed class PostgresRegistrationRaceTests() : RegistrationRaceTests(DbProvider.Postgres);
