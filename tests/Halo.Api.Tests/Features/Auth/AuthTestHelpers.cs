using System.Net.Http.Json;
using Halo.Api.Features.Auth;
using Halo.Api.Tests.Infrastructure;

namespace Halo.Api.Tests.Features.Auth;

public static class AuthTestHelpers
{
    private static int _network;

    /// <summary>
    /// An address in a network (IPv6 /48 under the documentation prefix) no other test in this process uses, so
    /// network-keyed state of one test never reaches another.
    /// </summary>
    public static string FreshNetwork() => $"2001:db8:{Interlocked.Increment(ref _network):x}::7";

    /// <summary>Another address in the same /48 as <paramref name="address"/>.</summary>
    public static string SameNetwork(string address, int host) => address[..address.LastIndexOf(':')] + ":" + host.ToString("x");

    public static Task<HttpResponseMessage> LoginAsync(this HttpClient client, string email, string password, string from) =>
        client.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/api/v1/auth/login")
        {
            Content = JsonContent.Create(new { email, password }),
        }.From(from));

    public static Task<HttpResponseMessage> RefreshAsync(this HttpClient client, string refreshToken) =>
        client.PostAsJsonAsync("/api/v1/auth/refresh", new { refresh_token = refreshToken });

    /// <summary>Signs in over HTTP: a real session (refresh-token family) whose access token names it.</summary>
    public static async Task<AuthResponse> SignInAsync(this HaloApiFactory factory, string email, string password = TestUsers.Password)
    {
        var res = await factory.CreateClient().LoginAsync(email, password, FreshNetwork());
        Assert.True(res.IsSuccessStatusCode, $"{res.StatusCode}: {await res.Content.ReadAsStringAsync()}");
        return await res.ReadAsync<AuthResponse>();
    }
}
