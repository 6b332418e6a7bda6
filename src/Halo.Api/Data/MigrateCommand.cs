using Halo.Api.Infrastructure;

namespace Halo.Api.Data;

/// <summary><c>migrate</c>: applies pending migrations for the configured provider (the way to migrate PostgreSQL).</summary>
public sealed class MigrateCommand(IServiceProvider services) : ICliCommand
{
    public string Name => "migrate";
    public string Usage => "migrate";

    public async Task<int> RunAsync(string[] args, CancellationToken ct)
    {
        await DataRegistration.MigrateAsync(services, force: true, ct);
        Console.WriteLine("Migrations applied.");
        return 0;
    }
}
