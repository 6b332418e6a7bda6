using Halo.Api.Features.Incidents;
using Microsoft.EntityFrameworkCore;

namespace Halo.Api.Data;

/// <summary>
/// The one EF Core context. Provider specifics (column types, spatial columns) live in the thin subclasses
/// <see cref="SqliteHaloDbContext"/> and <see cref="PostgresHaloDbContext"/>, each with its own migrations, and the SQL
/// that differs by provider is asked of <see cref="Dialect"/>. Features use this type directly; there is no repository
/// layer, and no feature code tests which subclass it holds.
/// </summary>
public abstract class HaloDbContext(DbContextOptions options) : DbContext(options)
{
    public DbSet<Incident> Incidents => Set<Incident>();

    /// <summary>How this store's SQL differs (the provider seam).</summary>
    public abstract StoreDialect Dialect { get; }

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        // Each feature keeps its entity configuration beside its code (IEntityTypeConfiguration<T>).
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(HaloDbContext).Assembly);
    }
}
