using Halo.Api.Features.Incidents;
using Microsoft.EntityFrameworkCore;
using NetTopologySuite.Geometries;

namespace Halo.Api.Data;

/// <summary>PostgreSQL 15 + PostGIS, for production and scale-out.</summary>
public sealed class PostgresHaloDbContext(DbContextOptions<PostgresHaloDbContext> options) : HaloDbContext(options)
{
    /// <summary>Shadow column: a stored geography computed from latitude/longitude, so writers never set it.</summary>
    public const string GeographyColumn = "Geog";

    public override StoreDialect Dialect => PostgresDialect.Instance;

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.HasPostgresExtension("postgis");
        base.OnModelCreating(modelBuilder);
        var incident = modelBuilder.Entity<Incident>();
        incident.Property<Point>(GeographyColumn)
            .HasColumnName("geog")
            .HasColumnType("geography (point, 4326)")
            .HasComputedColumnSql("ST_SetSRID(ST_MakePoint(\"Longitude\", \"Latitude\"), 4326)::geography", stored: true);
        incident.HasIndex(GeographyColumn).HasMethod("gist");
    }
}
