using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Halo.Api.Data;

// Used only by `dotnet ef migrations add`; each provider keeps its own migrations folder.
internal sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<SqliteHaloDbContext>
{
    public SqliteHaloDbContext CreateDbContext(string[] args)
    {
        var b = new DbContextOptionsBuilder<SqliteHaloDbContext>();
        DataRegistration.ConfigureSqlite(b, "Data Source=design.db");
        return new SqliteHaloDbContext(b.Options);
    }
}

internal sealed class PostgresDesignTimeFactory : IDesignTimeDbContextFactory<PostgresHaloDbContext>
{
    public PostgresHaloDbContext CreateDbContext(string[] args)
    {
        var b = new DbContextOptionsBuilder<PostgresHaloDbContext>();
        DataRegistration.ConfigurePostgres(b, "Host=localhost;Database=halo_design");
        return new PostgresHaloDbContext(b.Options);
    }
}
