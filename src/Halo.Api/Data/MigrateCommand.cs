using System.CommandLine;
using Halo.Api.Infrastructure;

namespace Halo.Api.Data;

/// <summary><c>migrate</c>: applies pending migrations for the configured provider (the way to migrate PostgreSQL).</summary>
public sealed class MigrateCommand(IServiceProvider services)
{
    public static Command Create(CliContext cli)
    {
        var command = new Command("migrate", "Apply pending database migrations for the configured provider (Database:Provider).");
        command.SetAction((_, ct) => cli.RunAsync<MigrateCommand>("migrate", c => c.RunAsync(cli, ct)));
        return command;
    }

    public async Task<int> RunAsync(CliContext cli, CancellationToken ct)
    {
        await DataRegistration.MigrateAsync(services, force: true, ct);
        await cli.Out.WriteLineAsync("Migrations applied.");
        return 0;
    }
}
