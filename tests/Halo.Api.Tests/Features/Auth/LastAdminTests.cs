using System.Net;
using System.Net.Http.Json;
using Halo.Api.Features.Audit;
using Halo.Api.Features.Auth;
using Halo.Api.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Halo.Api.Tests.Features.Auth;

/// <summary>
/// There is always an admin: the last one can be neither demoted nor deleted, not even by two admins demoting each other
/// at the same moment. Each test has a store of its own, since "the last admin" is about every account in it.
/// </summary>
public abstract class LastAdminTests(DbProvider provider)
{
    private HaloApiFactory NewFactory() => new(provider);

    private static Task<HttpResponseMessage> SetRoleAsync(HaloApiFactory factory, TestUser actor, Guid target, string role) =>
        factory.CreateClientWithToken(actor.AccessToken).PutAsJsonAsync($"/api/v1/admin/users/{target}/role", new { role, reason = "test" });

    private static Task<int> AdminsAsync(HaloApiFactory factory) =>
        factory.WithDb(db => db.Set<User>().CountAsync(u => u.Role == Roles.Admin));

    private static async Task AssertLastAdminRefusal(HttpResponseMessage res)
    {
        Assert.Equal(HttpStatusCode.Conflict, res.StatusCode);
        Assert.Equal("application/problem+json", res.Content.Headers.ContentType?.MediaType);
        var problem = await res.ReadJsonAsync();
        Assert.Equal("Last admin", problem.GetProperty("title").GetString());
        Assert.Contains("last admin", problem.GetProperty("detail").GetString(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task TheLastAdminCannotDemoteThemselves()
    {
        using var factory = NewFactory();
        var admin = await factory.CreateUserAsync(Roles.Admin);
        await factory.CreateUserAsync(Roles.Moderator);

        foreach (var role in new[] { Roles.Citizen, Roles.Moderator })
            await AssertLastAdminRefusal(await SetRoleAsync(factory, admin, admin.User.Id, role));

        Assert.Equal(1, await AdminsAsync(factory));
        Assert.Equal(HttpStatusCode.OK, (await factory.CreateClientWithToken(admin.AccessToken).GetAsync("/api/v1/admin/users")).StatusCode);
        var entityId = admin.User.Id.ToString();
        Assert.Equal(0, await factory.WithDb(db => db.Set<AuditEntry>().CountAsync(a => a.EntityId == entityId && a.Action == "user.role_changed")));
        // Setting the role it already has is no demotion.
        Assert.Equal(HttpStatusCode.OK, (await SetRoleAsync(factory, admin, admin.User.Id, Roles.Admin)).StatusCode);
    }

    [Fact]
    public async Task WithTwoAdminsOneMayDemoteTheOtherButNotThenThemselves()
    {
        using var factory = NewFactory();
        var first = await factory.CreateUserAsync(Roles.Admin);
        var second = await factory.CreateUserAsync(Roles.Admin);

        Assert.Equal(HttpStatusCode.OK, (await SetRoleAsync(factory, first, second.User.Id, Roles.Citizen)).StatusCode);

        Assert.Equal(HttpStatusCode.Forbidden, (await factory.CreateClientWithToken(second.AccessToken).GetAsync("/api/v1/admin/users")).StatusCode);
        await AssertLastAdminRefusal(await SetRoleAsync(factory, first, first.User.Id, Roles.Citizen));
        Assert.Equal(1, await AdminsAsync(factory));
    }

    [Fact]
    public async Task TheLastAdminCannotDeleteTheirAccountUntilThereIsAnother()
    {
        using var factory = NewFactory();
        var admin = await factory.CreateUserAsync(Roles.Admin);
        var client = factory.CreateClientWithToken(admin.AccessToken);

        await AssertLastAdminRefusal(await client.DeleteAsync("/api/v1/me"));
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/me")).StatusCode);

        var citizen = await factory.CreateUserAsync();
        Assert.Equal(HttpStatusCode.OK, (await SetRoleAsync(factory, admin, citizen.User.Id, Roles.Admin)).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync("/api/v1/me")).StatusCode);
        Assert.Equal(1, await AdminsAsync(factory));
        // Any other account deletes itself as before.
        Assert.Equal(HttpStatusCode.NoContent, (await (await factory.CreateClientAsAsync(Roles.Moderator)).DeleteAsync("/api/v1/me")).StatusCode);
    }

    [Fact]
    public Task TwoAdminsDemotingEachOtherAtOnceLeaveOneAdmin() =>
        // The loser is refused as the last admin, or, if the other demotion won before its request was authorised, as
        // no longer an admin.
        RaceTwoAdminsAsync(
            (f, a, b) => SetRoleAsync(f, a, b.User.Id, Roles.Citizen),
            (f, a, b) => SetRoleAsync(f, b, a.User.Id, Roles.Citizen),
            HttpStatusCode.Conflict, HttpStatusCode.Forbidden);

    [Fact]
    public Task AnAdminDeletingThemselvesWhileDemotingTheOtherLeavesOneAdmin() =>
        // Each step alone is allowed (another admin exists); together they would leave none. The loser is refused as
        // the last admin, or, if the deletion won before the demotion's token was checked, as unknown.
        RaceTwoAdminsAsync(
            (f, a, _) => f.CreateClientWithToken(a.AccessToken).DeleteAsync("/api/v1/me"),
            (f, a, b) => SetRoleAsync(f, a, b.User.Id, Roles.Citizen),
            HttpStatusCode.Conflict, HttpStatusCode.Unauthorized);

    /// <summary>
    /// Rounds of two requests sent at once by the store's only two admins, each of which alone would succeed: exactly
    /// one does, the other gets one of <paramref name="loser"/>, and one admin is left. The loser waited for the winner's
    /// row lock, so nothing failed on the way: nothing is logged as an error.
    /// </summary>
    private async Task RaceTwoAdminsAsync(
        Func<HaloApiFactory, TestUser, TestUser, Task<HttpResponseMessage>> first,
        Func<HaloApiFactory, TestUser, TestUser, Task<HttpResponseMessage>> second,
        params HttpStatusCode[] loser)
    {
        using var factory = new LogCapturingApiFactory(provider);
        for (var round = 0; round < 8; round++)
        {
            await factory.WithDb(db => db.Set<User>().Where(u => u.Role == Roles.Admin)
                .ExecuteUpdateAsync(s => s.SetProperty(u => u.Role, Roles.Citizen)));
            var a = await factory.CreateUserAsync(Roles.Admin);
            var b = await factory.CreateUserAsync(Roles.Admin);

            var answers = await Task.WhenAll(first(factory, a, b), second(factory, a, b));

            var codes = $"round {round}: {string.Join(", ", answers.Select(r => r.StatusCode))}";
            Assert.True(answers.Count(r => r.IsSuccessStatusCode) == 1, codes);
            Assert.True(answers.Count(r => loser.Contains(r.StatusCode)) == 1, codes);
            Assert.Equal(1, await AdminsAsync(factory));
        }
        Assert.DoesNotContain(factory.Logs.Entries, e => e.Level >= LogLevel.Error);
    }
}

public sealed class LastAdminSqliteTests() : LastAdminTests(DbProvider.Sqlite);
public sealed class LastAdminPostgresTests() : LastAdminTests(DbProvider.Postgres);
