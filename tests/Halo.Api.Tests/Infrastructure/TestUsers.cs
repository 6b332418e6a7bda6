using System.Net.Http.Headers;
using Halo.Api.Features.Auth;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;

namespace Halo.Api.Tests.Infrastructure;

public sealed record TestUser(User User, string Password, string AccessToken);

/// <summary>Creates real accounts in the app's store and signs requests with real tokens from its TokenService.</summary>
public static class TestUsers
{
    public const string Password = "correct horse battery staple 42";

    public static async Task<TestUser> CreateUserAsync(this HaloApiFactory factory, string role = Roles.Citizen)
    {
        await using var scope = factory.Scope();
        var db = scope.ServiceProvider.GetRequiredService<Halo.Api.Data.HaloDbContext>();
        var now = factory.Clock.GetUtcNow().UtcDateTime;
        var user = new User
        {
            Id = Guid.NewGuid(), Email = $"{role}-{Guid.NewGuid():N}@example.org", PasswordHash = "", Role = role,
            DisplayName = role, CreatedAt = now, UpdatedAt = now,
        };
        user.PasswordHash = new PasswordHasher<User>().HashPassword(user, Password);
        db.Set<User>().Add(user);
        await db.SaveChangesAsync();
        var token = scope.ServiceProvider.GetRequiredService<TokenService>().CreateAccessToken(user, out _);
        return new TestUser(user, Password, token);
    }

    public static async Task<HttpClient> CreateClientAsAsync(this HaloApiFactory factory, string role = Roles.Citizen)
    {
        var user = await factory.CreateUserAsync(role);
        return factory.CreateClientWithToken(user.AccessToken);
    }

    public static HttpClient CreateClientWithToken(this HaloApiFactory factory, string token)
    {
        var client = factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }
}
