using System.Net;
using System.Net.Http.Json;
using System.Security.Claims;
using System.Text;
using Halo.Api.Features.Auth;
using Halo.Api.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Halo.Api.Tests.Features.Auth;

/// <summary>Bad tokens get 401 — on protected and on public endpoints alike; they never degrade to anonymous.</summary>
public sealed class TokenTests(SqliteApiFactory factory) : IClassFixture<SqliteApiFactory>
{
    private static string B64(string s) => Base64UrlEncoder.Encode(Encoding.UTF8.GetBytes(s));

    private async Task AssertRejected(string token)
    {
        var client = factory.CreateClientWithToken(token);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/v1/me")).StatusCode);
        // A public read with a bad token is refused too, not served as anonymous.
        var res = await client.GetAsync("/api/v1/incidents");
        Assert.Equal(HttpStatusCode.Unauthorized, res.StatusCode);
        Assert.Equal("application/problem+json", res.Content.Headers.ContentType?.MediaType);
    }

    private string Sign(User user, DateTime notBefore, DateTime expires, byte[]? key = null, string? alg = null)
    {
        using var scope = factory.Services.CreateScope();
        key ??= scope.ServiceProvider.GetRequiredService<TokenService>().SigningKey().Key;
        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = "halo", Audience = "halo", NotBefore = notBefore, Expires = expires, IssuedAt = notBefore,
            Subject = new ClaimsIdentity([new Claim("sub", user.Id.ToString()), new Claim("role", user.Role)]),
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(key), alg ?? SecurityAlgorithms.HmacSha256),
        });
    }

    [Fact]
    public async Task AValidTokenIsAccepted()
    {
        var user = await factory.CreateUserAsync();
        var res = await factory.CreateClientWithToken(user.AccessToken).GetFromJsonAsync<UserDto>("/api/v1/me", Json.Options);
        Assert.Equal(user.User.Id, res!.Id);
    }

    [Fact]
    public async Task RejectsAlgNone()
    {
        var user = await factory.CreateUserAsync();
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var token = B64("{\"alg\":\"none\",\"typ\":\"JWT\"}") + "." +
                    B64($"{{\"sub\":\"{user.User.Id}\",\"role\":\"admin\",\"iss\":\"halo\",\"aud\":\"halo\",\"nbf\":{now},\"exp\":{now + 600}}}") + ".";
        await AssertRejected(token);
    }

    [Fact]
    public async Task RejectsATokenSignedWithAnotherKey()
    {
        var user = await factory.CreateUserAsync();
        var now = factory.Clock.GetUtcNow().UtcDateTime;
        await AssertRejected(Sign(user.User, now, now.AddMinutes(10), key: new byte[32]));
    }

    [Fact]
    public async Task RejectsAnExpiredToken()
    {
        var user = await factory.CreateUserAsync();
        factory.Clock.Advance(TimeSpan.FromMinutes(16)); // past the 15-minute lifetime and the 30 s skew
        await AssertRejected(user.AccessToken);
    }

    [Fact]
    public async Task RejectsATokenNotYetValid()
    {
        var user = await factory.CreateUserAsync();
        var now = factory.Clock.GetUtcNow().UtcDateTime;
        await AssertRejected(Sign(user.User, now.AddMinutes(5), now.AddMinutes(20)));
    }

    [Fact]
    public async Task RejectsATamperedPayload()
    {
        var user = await factory.CreateUserAsync();
        var parts = user.AccessToken.Split('.');
        var payload = Encoding.UTF8.GetString(Base64UrlEncoder.DecodeBytes(parts[1])).Replace("\"citizen\"", "\"admin\"");
        await AssertRejected($"{parts[0]}.{B64(payload)}.{parts[2]}");
    }

    [Fact]
    public async Task RejectsGarbageInTheAuthorizationHeader()
    {
        await AssertRejected("not.a.token");
        await AssertRejected("x");
    }

    [Fact]
    public async Task RejectsATokenOfADeletedUser()
    {
        var user = await factory.CreateUserAsync();
        var client = factory.CreateClientWithToken(user.AccessToken);
        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync("/api/v1/me")).StatusCode);
        await AssertRejected(user.AccessToken);
    }

    [Fact]
    public async Task LoginRefreshRotatesAndReuseRevokesTheWholeFamily()
    {
        var client = factory.CreateClient();
        var email = $"r{Guid.NewGuid():N}@example.org";
        var reg = await client.PostAsJsonAsync("/api/v1/auth/register", new { email, password = TestUsers.Password });
        Assert.Equal(HttpStatusCode.Created, reg.StatusCode);
        var login = await (await client.PostAsJsonAsync("/api/v1/auth/login", new { email, password = TestUsers.Password })).ReadAsync<AuthResponse>();

        var first = await client.PostAsJsonAsync("/api/v1/auth/refresh", new { refresh_token = login.Tokens.RefreshToken });
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var rotated = await first.ReadAsync<TokenPair>();
        Assert.NotEqual(login.Tokens.RefreshToken, rotated.RefreshToken);

        // The old token again: a thief or a replay. The family dies, including the newest token.
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.PostAsJsonAsync("/api/v1/auth/refresh", new { refresh_token = login.Tokens.RefreshToken })).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.PostAsJsonAsync("/api/v1/auth/refresh", new { refresh_token = rotated.RefreshToken })).StatusCode);
    }

    [Fact]
    public async Task LogoutRevokesTheRefreshToken()
    {
        var client = factory.CreateClient();
        var email = $"l{Guid.NewGuid():N}@example.org";
        var reg = await (await client.PostAsJsonAsync("/api/v1/auth/register", new { email, password = TestUsers.Password })).ReadAsync<AuthResponse>();
        Assert.Equal(HttpStatusCode.NoContent, (await client.PostAsJsonAsync("/api/v1/auth/logout", new { refresh_token = reg.Tokens.RefreshToken })).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.PostAsJsonAsync("/api/v1/auth/refresh", new { refresh_token = reg.Tokens.RefreshToken })).StatusCode);
    }

    [Fact]
    public async Task RegistrationEnforcesPasswordStrengthAndUniqueEmail()
    {
        var client = factory.CreateClient();
        var email = $"p{Guid.NewGuid():N}@example.org";
        foreach (var weak in new[] { "short1!", "password123", "aaaaaaaaaaaa", "abcdefghij" })
            Assert.Equal(HttpStatusCode.BadRequest, (await client.PostAsJsonAsync("/api/v1/auth/register", new { email, password = weak })).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await client.PostAsJsonAsync("/api/v1/auth/register", new { email, password = TestUsers.Password })).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await client.PostAsJsonAsync("/api/v1/auth/register", new { email = email.ToUpperInvariant(), password = TestUsers.Password })).StatusCode);
    }

    [Fact]
    public async Task StoresOnlyHashesOfPasswordsAndRefreshTokens()
    {
        var client = factory.CreateClient();
        var email = $"h{Guid.NewGuid():N}@example.org";
        var reg = await (await client.PostAsJsonAsync("/api/v1/auth/register", new { email, password = TestUsers.Password })).ReadAsync<AuthResponse>();
        var (hash, tokenHashes) = await factory.WithDb(async db =>
        {
            var u = db.Set<User>().Single(x => x.Email == email);
            return (u.PasswordHash, db.Set<RefreshToken>().Where(t => t.UserId == u.Id).Select(t => t.TokenHash).ToList());
        });
        Assert.DoesNotContain(TestUsers.Password, hash);
        Assert.DoesNotContain(reg.Tokens.RefreshToken, tokenHashes);
        Assert.Contains(TokenService.Hash(reg.Tokens.RefreshToken), tokenHashes);
    }
}

/// <summary>Account administration: the CLI's first admin and role changes (login throttling: LoginThrottleTests; the last admin: LastAdminTests).</summary>
public sealed class AccountAdminTests(SqliteApiFactory factory) : IClassFixture<SqliteApiFactory>
{
    [Fact]
    public async Task CreateAdminCommandMakesAnAdminWithAGeneratedPasswordShownOnce()
    {
        var email = $"boss{Guid.NewGuid():N}@example.org";
        var output = new StringWriter();
        var code = await Program.Commands.InvokeAsync(factory.Services, ["users", "create-admin", "--email", email], output, TextWriter.Null);

        Assert.Equal(0, code);
        var password = output.ToString().Split("Generated password (shown once, store it safely): ")[1].Trim();
        var login = await factory.CreateClient().PostAsJsonAsync("/api/v1/auth/login", new { email, password });
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        Assert.Equal(Roles.Admin, (await login.ReadAsync<AuthResponse>()).User.Role);
    }

    [Fact]
    public async Task AdminsChangeRolesAndTheNewRoleAppliesToExistingTokens()
    {
        var admin = await factory.CreateClientAsAsync(Roles.Admin);
        var user = await factory.CreateUserAsync();
        var userClient = factory.CreateClientWithToken(user.AccessToken);
        Assert.Equal(HttpStatusCode.Forbidden, (await userClient.GetAsync("/api/v1/moderation/queue")).StatusCode);

        var res = await admin.PutAsJsonAsync($"/api/v1/admin/users/{user.User.Id}/role", new { role = "moderator", reason = "new volunteer" });

        Assert.Equal(HttpStatusCode.OK, res.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await userClient.GetAsync("/api/v1/moderation/queue")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.PutAsJsonAsync($"/api/v1/admin/users/{user.User.Id}/role", new { role = "superuser" })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.PutAsJsonAsync($"/api/v1/admin/users/{Guid.NewGuid()}/role", new { role = "admin" })).StatusCode);
    }
}
