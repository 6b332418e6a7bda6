using System.Net;
using System.Net.Http.Json;
using Halo.Api.Features.Auth;
using Halo.Api.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Halo.Api.Tests.Features.Auth;

/// <summary>
/// A session is one refresh-token family; its access tokens name it (<c>sid</c>). Changing the password ends every
/// other session of the account, refresh and access tokens alike, and keeps the caller's.
/// </summary>
public abstract class SessionTests(HaloApiFactory factory)
{
    private const string NewPassword = "a brand new passphrase 77";

    private async Task<HttpResponseMessage> ChangePasswordAsync(string accessToken) =>
        await factory.CreateClientWithToken(accessToken).PatchAsJsonAsync("/api/v1/me",
            new { password = NewPassword, current_password = TestUsers.Password });

    private async Task<HttpStatusCode> MeAsync(string accessToken) =>
        (await factory.CreateClientWithToken(accessToken).GetAsync("/api/v1/me")).StatusCode;

    [Fact]
    public async Task AccessTokensNameTheirSessionsRefreshTokenFamily()
    {
        var user = await factory.CreateUserAsync();
        var session = await factory.SignInAsync(user.User.Email);

        var sid = new JsonWebToken(session.Tokens.AccessToken).GetClaim(TokenService.SessionClaim).Value;
        var hash = TokenService.Hash(session.Tokens.RefreshToken);
        var family = await factory.WithDb(db => db.Set<RefreshToken>().Where(t => t.TokenHash == hash).Select(t => t.FamilyId).SingleAsync());
        Assert.Equal(family.ToString(), sid);

        var rotated = await (await factory.CreateClient().RefreshAsync(session.Tokens.RefreshToken)).ReadAsync<TokenPair>();
        Assert.Equal(sid, new JsonWebToken(rotated.AccessToken).GetClaim(TokenService.SessionClaim).Value);
    }

    [Fact]
    public async Task ChangingThePasswordEndsEveryOtherSessionButNotTheCurrentOne()
    {
        var user = await factory.CreateUserAsync();
        var phone = await factory.SignInAsync(user.User.Email);
        var laptop = await factory.SignInAsync(user.User.Email);
        var thief = await factory.SignInAsync(user.User.Email);
        // The current session has rotated once: it is still the same session.
        var current = await (await factory.CreateClient().RefreshAsync(phone.Tokens.RefreshToken)).ReadAsync<TokenPair>();

        var changed = await ChangePasswordAsync(current.AccessToken);
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);

        var client = factory.CreateClient();
        foreach (var other in new[] { laptop, thief })
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await client.RefreshAsync(other.Tokens.RefreshToken)).StatusCode);
            Assert.Equal(HttpStatusCode.Unauthorized, await MeAsync(other.Tokens.AccessToken));
        }
        Assert.Equal(HttpStatusCode.OK, await MeAsync(current.AccessToken));
        var next = await client.RefreshAsync(current.RefreshToken);
        Assert.Equal(HttpStatusCode.OK, next.StatusCode);
        Assert.Equal(HttpStatusCode.OK, await MeAsync((await next.ReadAsync<TokenPair>()).AccessToken));

        // And only the new password signs in now.
        var from = AuthTestHelpers.FreshNetwork();
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.LoginAsync(user.User.Email, TestUsers.Password, from)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.LoginAsync(user.User.Email, NewPassword, from)).StatusCode);
    }

    [Fact]
    public async Task ChangingOnlyTheDisplayNameEndsNoSession()
    {
        var user = await factory.CreateUserAsync();
        var phone = await factory.SignInAsync(user.User.Email);
        var laptop = await factory.SignInAsync(user.User.Email);

        var res = await factory.CreateClientWithToken(phone.Tokens.AccessToken).PatchAsJsonAsync("/api/v1/me", new { display_name = "Kim" });

        Assert.Equal(HttpStatusCode.OK, res.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await factory.CreateClient().RefreshAsync(laptop.Tokens.RefreshToken)).StatusCode);
    }

    [Fact]
    public async Task APasswordChangeWithATokenThatNamesNoSessionEndsEverySession()
    {
        var user = await factory.CreateUserAsync();
        var session = await factory.SignInAsync(user.User.Email);

        // TestUsers' token is signed by the app but carries no sid: it cannot say which session is the caller's.
        Assert.Equal(HttpStatusCode.OK, (await ChangePasswordAsync(user.AccessToken)).StatusCode);

        Assert.Equal(HttpStatusCode.Unauthorized, (await factory.CreateClient().RefreshAsync(session.Tokens.RefreshToken)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, await MeAsync(session.Tokens.AccessToken));
        Assert.Equal(HttpStatusCode.OK, await MeAsync(user.AccessToken));
    }

    [Fact]
    public async Task AWrongCurrentPasswordChangesNothingAndEndsNoSession()
    {
        var user = await factory.CreateUserAsync();
        var phone = await factory.SignInAsync(user.User.Email);
        var laptop = await factory.SignInAsync(user.User.Email);

        var res = await factory.CreateClientWithToken(phone.Tokens.AccessToken).PatchAsJsonAsync("/api/v1/me",
            new { password = NewPassword, current_password = "not my password 1" });

        Assert.Equal(HttpStatusCode.BadRequest, res.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await factory.CreateClient().RefreshAsync(laptop.Tokens.RefreshToken)).StatusCode);
    }

    [Fact]
    public async Task LogoutEndsTheSessionsAccessTokenToo()
    {
        var user = await factory.CreateUserAsync();
        var session = await factory.SignInAsync(user.User.Email);
        var other = await factory.SignInAsync(user.User.Email);
        Assert.Equal(HttpStatusCode.OK, await MeAsync(session.Tokens.AccessToken));

        await factory.CreateClient().PostAsJsonAsync("/api/v1/auth/logout", new { refresh_token = session.Tokens.RefreshToken });

        Assert.Equal(HttpStatusCode.Unauthorized, await MeAsync(session.Tokens.AccessToken));
        Assert.Equal(HttpStatusCode.OK, await MeAsync(other.Tokens.AccessToken));
    }

    [Fact]
    public async Task ATokenIssuedIntoAnEndedSessionIsRefused()
    {
        // What a refresh racing a password change can leave behind: a live token in a family the change revoked.
        var user = await factory.CreateUserAsync();
        var session = await factory.SignInAsync(user.User.Email);
        var hash = TokenService.Hash(session.Tokens.RefreshToken);
        string late;
        await using (var scope = factory.Scope())
        {
            var db = scope.ServiceProvider.GetRequiredService<Halo.Api.Data.HaloDbContext>();
            var family = await db.Set<RefreshToken>().Where(t => t.TokenHash == hash).Select(t => t.FamilyId).SingleAsync();
            await scope.ServiceProvider.GetRequiredService<TokenService>().RevokeFamilyAsync(db, family, CancellationToken.None);
            var (token, row) = scope.ServiceProvider.GetRequiredService<TokenService>().CreateRefreshToken(user.User.Id, family);
            db.Set<RefreshToken>().Add(row);
            await db.SaveChangesAsync();
            late = token;
        }

        Assert.Equal(HttpStatusCode.Unauthorized, (await factory.CreateClient().RefreshAsync(late)).StatusCode);
    }
}

public sealed class SessionSqliteTests(SqliteApiFactory f) : SessionTests(f), IClassFixture<SqliteApiFactory>;

public sealed class SessionPostgresTests(PostgresApiFactory f) : SessionTests(f), IClassFixture<PostgresApiFactory>;
