using System.Data.Common;
using System.Diagnostics;
using Halo.Api.Features.Incidents;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.EntityFrameworkCore.Storage;
using NetTopologySuite.Geometries;

namespace Halo.Api.Data;

/// <summary>PostgreSQL + PostGIS: exact sphere distances on the stored geography column, no index hints.</summary>
public sealed class PostgresDialect : StoreDialect
{
    public static readonly PostgresDialect Instance = new();

    private static readonly GeometryFactory Wgs84 = new(new PrecisionModel(), 4326);

    private PostgresDialect() { }

    public override IQueryable<T> ThroughIndex<T>(HaloDbContext db, string table, string index) => db.Set<T>();

    public override string IndexHintSql(string index) => "";

    public override bool SplitsDenseAreaScans => false;

    public override bool RadiusIsExact => true;

    // Sphere, not spheroid: the same earth model as the SQLite haversine path, so both providers agree.
    public override IQueryable<Incident> WithinRadius(IQueryable<Incident> q, double lat, double lon, double radiusM)
    {
        var centre = Wgs84.CreatePoint(new Coordinate(lon, lat));
        return q.Where(i => EF.Functions.IsWithinDistance(EF.Property<Point>(i, PostgresHaloDbContext.GeographyColumn), centre, radiusM, false));
    }

    public override string WithinRadiusSql(Func<object, string> param, double lat, double lon, double radiusM) =>
        $"ST_DWithin(\"geog\", ST_SetSRID(ST_MakePoint({param(lon)}, {param(lat)}), 4326)::geography, {param(radiusM)}, FALSE)";

    public override IQueryable<Incident>? NearestFirst(IQueryable<Incident> q, double lat, double lon)
    {
        var centre = Wgs84.CreatePoint(new Coordinate(lon, lat));
        return q.OrderBy(i => EF.Functions.Distance(EF.Property<Point>(i, PostgresHaloDbContext.GeographyColumn), centre, false))
            .ThenByDescending(i => i.OccurredAt);
    }

    public override object ToStored(object value) => value is DateTime d ? d.ToUniversalTime() : value;

    public override Guid ReadGuid(DbDataReader r, int i) => r.GetGuid(i);

    public override DateTime ReadInstant(DbDataReader r, int i) => DateTime.SpecifyKind(r.GetDateTime(i), DateTimeKind.Utc);

    public override async Task AddIncidentsAsync(HaloDbContext db, IReadOnlyList<Incident> rows, CancellationToken ct)
    {
        if (rows.Count > 0) await PostgresCopy.InsertAsync(db, rows, ct);
    }

    public override Task LockRowsAsync(HaloDbContext db, string selectSql, object[] values, CancellationToken ct)
    {
        // The statement is the caller's constant; its values go as parameters.
        var sql = selectSql + " FOR UPDATE";
        return db.Database.ExecuteSqlRawAsync(sql, values, ct);
    }

    public override Activity? StartCommandSpan(DbCommand command) => null; // Npgsql's own span covers it

    public override string Describe(DbConnection connection) => $"the PostgreSQL database {connection.Database} on {connection.DataSource}";

    /// <summary>
    /// Creates the database if it is missing and the history table first (<c>CREATE TABLE IF NOT EXISTS</c>, both what
    /// the migrator itself runs next): Npgsql cannot tell whether the table exists, so on a new database EF's first
    /// read of it fails and is logged as an error although nothing is wrong (npgsql/efcore.pg#3407), and an operator's
    /// first start would show one.
    /// </summary>
    public override async Task MigrateAsync(HaloDbContext db, CancellationToken ct)
    {
        var creator = db.GetService<IRelationalDatabaseCreator>();
        if (!await creator.ExistsAsync(ct)) await creator.CreateAsync(ct);
        await db.GetService<IHistoryRepository>().CreateIfNotExistsAsync(ct);
        await db.Database.MigrateAsync(ct);
    }
}
