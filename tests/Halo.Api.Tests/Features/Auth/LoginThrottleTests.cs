using System.Net;
using Halo.Api.Features.Auth;
using Halo.Api.Tests.Infrastructure;
using static Halo.Api.Tests.Features.Auth.AuthTestHelpers;

namespace Halo.Api.Tests.Features.Auth;

/// <summary>
/// Failed logins slow down their source, account × client network, with waits that double; never the account for
/// everyone. Defaults: the 5th failure in a row costs 2 s, each further one twice the last, at most 15 minutes.
/// </summary>
public abstract class LoginThrottleTests(HaloApiFactory factory)
{
    private const string Wrong = "wrong password 123";
    private readonly HttpClient _client = factory.CreateClient();

    private async Task FailAsync(string email, string from, int times)
    {
        for (var n = 0; n < times; n++)
            Assert.Equal(HttpStatusCode.Unauthorized, (await _client.LoginAsync(email, Wrong, from)).StatusCode);
    }

    private static void AssertWaits(HttpResponseMessage res, int seconds)
    {
        Assert.Equal(HttpStatusCode.TooManyRequests, res.StatusCode);
        Assert.Equal("application/problem+json", res.Content.Headers.ContentType?.MediaType);
        Assert.Equal(TimeSpan.FromSeconds(seconds), res.Headers.RetryAfter?.Delta);
    }

    [Fact]
    public async Task TheRightPasswordFromACleanNetworkWorksWhileTheAttackersNetworkWaits()
    {
        var victim = await factory.CreateUserAsync();
        var attacker = FreshNetwork();
        await FailAsync(victim.User.Email, attacker, 5);

        // The attacker's network waits, even with the right password and from another address in the same /48.
        AssertWaits(await _client.LoginAsync(victim.User.Email, TestUsers.Password, attacker), 2);
        AssertWaits(await _client.LoginAsync(victim.User.Email, TestUsers.Password, SameNetwork(attacker, 0x99)), 2);

        // The owner, elsewhere, signs in at once.
        var owner = await _client.LoginAsync(victim.User.Email, TestUsers.Password, FreshNetwork());
        Assert.Equal(HttpStatusCode.OK, owner.StatusCode);
        Assert.Equal(victim.User.Id, (await owner.ReadAsync<AuthResponse>()).User.Id);
        // And the owner signing in did not free the attacker.
        AssertWaits(await _client.LoginAsync(victim.User.Email, Wrong, attacker), 2);
    }

    [Fact]
    public async Task EachFurtherFailureDoublesTheWaitUpToTheCap()
    {
        var user = await factory.CreateUserAsync();
        var from = FreshNetwork();
        await FailAsync(user.User.Email, from, 4);
        Assert.Equal(HttpStatusCode.Unauthorized, (await _client.LoginAsync(user.User.Email, Wrong, from)).StatusCode);

        var expected = new[] { 2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900 };
        foreach (var seconds in expected)
        {
            AssertWaits(await _client.LoginAsync(user.User.Email, Wrong, from), seconds);
            factory.Clock.Advance(TimeSpan.FromSeconds(seconds - 1));
            AssertWaits(await _client.LoginAsync(user.User.Email, Wrong, from), 1);
            factory.Clock.Advance(TimeSpan.FromSeconds(1));
            // Waited out: this attempt is checked, fails, and sets the next, longer wait.
            Assert.Equal(HttpStatusCode.Unauthorized, (await _client.LoginAsync(user.User.Email, Wrong, from)).StatusCode);
        }
        AssertWaits(await _client.LoginAsync(user.User.Email, TestUsers.Password, from), 900);
    }

    [Fact]
    public async Task ACorrectLoginResetsThatSourcesCounter()
    {
        var user = await factory.CreateUserAsync();
        var from = FreshNetwork();
        await FailAsync(user.User.Email, from, 5);
        factory.Clock.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(HttpStatusCode.OK, (await _client.LoginAsync(user.User.Email, TestUsers.Password, from)).StatusCode);

        // Counting from zero again: four free failures, and the fifth brings back the first, shortest wait.
        await FailAsync(user.User.Email, from, 5);
        AssertWaits(await _client.LoginAsync(user.User.Email, TestUsers.Password, from), 2);
    }

    [Fact]
    public async Task FailuresAreForgottenAfterAQuietDay()
    {
        var user = await factory.CreateUserAsync();
        var from = FreshNetwork();
        await FailAsync(user.User.Email, from, 5);
        factory.Clock.Advance(TimeSpan.FromSeconds(2));
        await FailAsync(user.User.Email, from, 1);
        AssertWaits(await _client.LoginAsync(user.User.Email, Wrong, from), 4);

        factory.Clock.Advance(TimeSpan.FromHours(24));
        await FailAsync(user.User.Email, from, 4);
        Assert.Equal(HttpStatusCode.Unauthorized, (await _client.LoginAsync(user.User.Email, Wrong, from)).StatusCode);
        AssertWaits(await _client.LoginAsync(user.User.Email, Wrong, from), 2);
    }

    [Fact]
    public async Task OneNetworkTryingManyAccountsHitsTheNetworkCap()
    {
        var from = FreshNetwork();
        for (var n = 0; n < 100; n++)
            Assert.Equal(HttpStatusCode.Unauthorized, (await _client.LoginAsync($"nobody{n}-{Guid.NewGuid():N}@example.org", Wrong, from)).StatusCode);
        var user = await factory.CreateUserAsync();

        // Credential stuffing: that network's next try is refused before any password is checked, right or wrong.
        var refused = await _client.LoginAsync(user.User.Email, TestUsers.Password, from);
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.True(refused.Headers.RetryAfter?.Delta is { } wait && wait > TimeSpan.Zero && wait <= TimeSpan.FromMinutes(15));
        Assert.Equal(HttpStatusCode.OK, (await _client.LoginAsync(user.User.Email, TestUsers.Password, FreshNetwork())).StatusCode);

        factory.Clock.Advance(TimeSpan.FromMinutes(15));
        Assert.Equal(HttpStatusCode.OK, (await _client.LoginAsync(user.User.Email, TestUsers.Password, from)).StatusCode);
    }

    [Fact]
    public async Task SimultaneousGuessesCannotAllSlipInUnderTheLimit()
    {
        var user = await factory.CreateUserAsync();
        var from = FreshNetwork();

        var answers = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => _client.LoginAsync(user.User.Email, Wrong, from)));

        // Each admitted guess counts the moment it is admitted: exactly five are checked, the rest wait.
        Assert.Equal(5, answers.Count(a => a.StatusCode == HttpStatusCode.Unauthorized));
        Assert.Equal(15, answers.Count(a => a.StatusCode == HttpStatusCode.TooManyRequests));
    }
}

public sealed class LoginThrottleSqliteTests(SqliteApiFactory f) : LoginThrottleTests(f), IClassFixture<SqliteApiFactory>;

public sealed class LoginThrottlePostgresTests(PostgresApiFactory f) : LoginThrottleTests(f), IClassFixture<PostgresApiFactory>;
