using Halo.Api.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Halo.Api.Tests.Infrastructure;

/// <summary>The server secrets the app's features declare, as the app registers them (README and deploy files must list the same).</summary>
public static class DeclaredSecrets
{
    public static List<ServerSecret> All()
    {
        using var factory = new SqliteApiFactory();
        return [.. factory.Services.GetRequiredService<ServerSecrets>().Known];
    }
}
