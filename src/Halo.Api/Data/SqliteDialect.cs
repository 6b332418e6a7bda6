using System.Data.Common;
using System.Diagnostics;
using Halo.Api.Features.Geo;
using Halo.Api.Features.Incidents;
using Halo.Api.Infrastructure.Observability;
using Microsoft.EntityFrameworkCore;

namespace Halo.Api.Data;

/// <summary>SQLite: index hints, no spatial functions (a box prefilter plus haversine), DateTime as UTC ticks.</summary>
public sealed class SqliteDialect : StoreDialect
{
    public static readonly SqliteDialect Instance = new();

    private SqliteDialect() { }

    public override IQueryable<T> ThroughIndex<T>(HaloDbContext db, string table, string index)
    {
        // Table and index names are the callers' constants, never input.
        var sql = "SELECT * FROM " + table + " INDEXED BY " + index;
        return db.Set<T>().FromSqlRaw(sql);
    }

    public override string IndexHintSql(string index) => " INDEXED BY " + index;

    public override bool SplitsDenseAreaScans => true;

    public override bool RadiusIsExact => false;

    public override IQueryable<Incident> WithinRadius(IQueryable<Incident> q, double lat, double lon, double radiusM)
    {
        var box = Haversine.BoundingBox(lat, lon, radiusM);
        return q.Where(i => i.Latitude >= box.MinLat && i.Latitude <= box.MaxLat && i.Longitude >= box.MinLon && i.Longitude <= box.MaxLon);
    }

    public override string WithinRadiusSql(Func<object, string> param, double lat, double lon, double radiusM)
    {
        var box = Haversine.BoundingBox(lat, lon, radiusM);
        return $"\"Latitude\" >= {param(box.MinLat)} AND \"Latitude\" <= {param(box.MaxLat)} AND \"Longitude\" >= {param(box.MinLon)} AND \"Longitude\" <= {param(box.MaxLon)}";
    }

    public override IQueryable<Incident>? NearestFirst(IQueryable<Incident> q, double lat, double lon) => null;

    public override object ToStored(object value) => value switch
    {
        DateTime d => SqliteHaloDbContext.ToStoredTicks(d),
        Guid g => g.ToString().ToUpperInvariant(),
        bool b => b ? 1L : 0L,
        _ => value,
    };

    public override Guid ReadGuid(DbDataReader r, int i) => Guid.Parse(r.GetString(i));

    public override DateTime ReadInstant(DbDataReader r, int i) => SqliteHaloDbContext.FromStoredTicks(r.GetInt64(i));

    public override Task AddIncidentsAsync(HaloDbContext db, IReadOnlyList<Incident> rows, CancellationToken ct)
    {
        db.Incidents.AddRange(rows);
        return Task.CompletedTask;
    }

    public override Task LockRowsAsync(HaloDbContext db, string selectSql, object[] values, CancellationToken ct) => Task.CompletedTask;

    public override Activity? StartCommandSpan(DbCommand command)
    {
        // Named and tagged as EF Core's instrumentation names its SQLite spans, so both read alike in a trace.
        var span = Telemetry.Activities.StartActivity("main", ActivityKind.Client);
        span?.SetTag("db.system", "sqlite").SetTag("db.name", "main").SetTag("db.statement", command.CommandText);
        return span;
    }

    public override string Describe(DbConnection connection) => $"the SQLite store {Path.GetFullPath(connection.DataSource)}";
}
