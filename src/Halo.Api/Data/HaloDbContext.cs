using Halo.Api.Features.Incidents;
using Microsoft.EntityFrameworkCore;

namespace Halo.Api.Data;

/// <summary>
/// The one EF Core context. Provider specifics (column types, spatial columns) live in the thin subclasses
/// <see cref="SqliteHaloDbContext"/> and <see cref="PostgresHaloDbContext"/>, each with its own migrations.
/// Features use this type directly; there is no repository layer.
/// </summary>
public abstract class HaloDbContext(DbContextOptions options) : DbContext(options)
{
    public DbSet<Incident> Incidents => Set<Incident>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        // Each feature keeps its entity configuration beside its code (IEntityTypeConfiguration<T>).
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(HaloDbContext).Assembly);
    }
}
