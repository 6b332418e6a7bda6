using System.Data.Common;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Halo.Api.Data;
using Halo.Api.Features.Geo;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace Halo.Api.Features.Incidents;

/// <summary>
/// The list page's query as hand-written SQL on the context's own connection. The map asks for this page on every pan
/// and zoom, and EF Core's per-query pipeline (funcletizing the expression, regenerating SQL for nullable parameters
/// under the command-cache lock, the shaper) cost more CPU than either database spends answering it (profile in
/// bench/RESULTS.md). The filters are exactly those of <see cref="IncidentSearch.Apply(HaloDbContext, IncidentFilter)"/>;
/// <c>IncidentPageSqlTests</c> compares the two on both providers so they cannot drift apart.
/// </summary>
internal sealed class IncidentPageSql
{
    private const string Columns =
        "\"Id\", \"Source\", \"ExternalId\", \"RawType\", \"Category\", \"Severity\", \"IsIncident\", \"Title\", \"Summary\", " +
        "\"OccurredAt\", \"PublishedAt\", \"Latitude\", \"Longitude\", \"LocationName\", \"LocationPrecisionM\", \"H3Res9\", " +
        "\"H3Res7\", \"Status\", \"IsVerified\", \"SourceUrl\", \"CreatedAt\", \"UpdatedAt\"";

    private readonly StoreDialect _dialect;
    private readonly StringBuilder _sql = new(768);
    private readonly List<object> _values = [];

    private IncidentPageSql(StoreDialect dialect) => _dialect = dialect;

    /// <summary>
    /// Up to <paramref name="take"/> rows matching <paramref name="f"/>, newest first, strictly after
    /// <paramref name="after"/> and (when given) at or before <paramref name="stopAt"/> in page order.
    /// <paramref name="timeOrderedIndex"/> (SQLite) forces the (occurred_at, id, position) index, see ADR 3.
    /// </summary>
    public static async Task<List<IncidentDto>> ReadAsync(HaloDbContext db, IncidentFilter f, bool timeOrderedIndex,
        PageCursor? after, PageCursor? stopAt, int take, CancellationToken ct)
    {
        var q = new IncidentPageSql(db.Dialect);
        q.Build(f, timeOrderedIndex, after, stopAt, take);
        await db.Database.OpenConnectionAsync(ct);
        try
        {
            await using var cmd = db.Database.GetDbConnection().CreateCommand();
            cmd.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
            cmd.CommandText = q._sql.ToString();
            for (var i = 0; i < q._values.Count; i++)
            {
                var p = cmd.CreateParameter();
                p.ParameterName = "@p" + i.ToString(CultureInfo.InvariantCulture);
                p.Value = q._values[i];
                cmd.Parameters.Add(p);
            }
            using var span = db.Dialect.StartCommandSpan(cmd);
            try
            {
                var rows = new List<IncidentDto>(take);
                await using var r = await cmd.ExecuteReaderAsync(ct);
                while (await r.ReadAsync(ct)) rows.Add(q.Read(r));
                return rows;
            }
            catch (Exception e)
            {
                span?.SetStatus(ActivityStatusCode.Error, e.Message);
                throw;
            }
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    private void Build(IncidentFilter f, bool timeOrderedIndex, PageCursor? after, PageCursor? stopAt, int take)
    {
        _sql.Append("SELECT ").Append(Columns).Append(" FROM \"incidents\"");
        if (timeOrderedIndex) _sql.Append(_dialect.IndexHintSql(IncidentConfiguration.TimePositionIndex));
        _sql.Append(" WHERE \"Status\" <> ").Append(Param(IncidentStatus.Deleted))
            .Append(" AND \"Status\" <> ").Append(Param(IncidentStatus.Rejected));
        if (!f.IncludeNonIncidents) _sql.Append(" AND \"IsIncident\" = ").Append(Param(true));
        if (f.Bbox is { } b)
        {
            _sql.Append(" AND \"Latitude\" >= ").Append(Param(b.MinLat)).Append(" AND \"Latitude\" <= ").Append(Param(b.MaxLat));
            _sql.Append(b.MinLon <= b.MaxLon ? " AND \"Longitude\" >= " : " AND (\"Longitude\" >= ").Append(Param(b.MinLon));
            _sql.Append(b.MinLon <= b.MaxLon ? " AND \"Longitude\" <= " : " OR \"Longitude\" <= ").Append(Param(b.MaxLon));
            if (b.MinLon > b.MaxLon) _sql.Append(')'); // crosses the antimeridian
        }
        // Where the radius is a box prefilter (StoreDialect.RadiusIsExact), the caller checks the exact haversine distance.
        if (f.Circle is { } c) _sql.Append(" AND ").Append(_dialect.WithinRadiusSql(Param, c.Lat, c.Lon, c.RadiusM));
        if (f.From is { } from) _sql.Append(" AND \"OccurredAt\" >= ").Append(Param(from));
        if (f.To is { } to) _sql.Append(" AND \"OccurredAt\" <= ").Append(Param(to));
        if (f.Categories.Count > 0)
        {
            _sql.Append(" AND \"Category\" IN (");
            for (var i = 0; i < f.Categories.Count; i++) _sql.Append(i == 0 ? "" : ", ").Append(Param(f.Categories[i]));
            _sql.Append(')');
        }
        if (f.SeverityMin is { } smin) _sql.Append(" AND \"Severity\" >= ").Append(Param(smin));
        if (f.SeverityMax is { } smax) _sql.Append(" AND \"Severity\" <= ").Append(Param(smax));
        if (f.Source is { } src) _sql.Append(" AND \"Source\" = ").Append(Param(src));
        if (f.VerifiedOnly) _sql.Append(" AND \"IsVerified\" = ").Append(Param(true));
        if (after is not null)
        {
            var t = Param(after.OccurredAt);
            _sql.Append(" AND (\"OccurredAt\" < ").Append(t).Append(" OR (\"OccurredAt\" = ").Append(t)
                .Append(" AND \"Id\" < ").Append(Param(after.Id)).Append("))");
        }
        if (stopAt is not null)
        {
            var t = Param(stopAt.OccurredAt);
            _sql.Append(" AND (\"OccurredAt\" > ").Append(t).Append(" OR (\"OccurredAt\" = ").Append(t)
                .Append(" AND \"Id\" >= ").Append(Param(stopAt.Id)).Append("))");
        }
        _sql.Append(" ORDER BY \"OccurredAt\" DESC, \"Id\" DESC LIMIT ").Append(take.ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>Adds a parameter in the provider's storage form (SQLite: UTC ticks, upper-case GUID text, 0/1).</summary>
    private string Param(object value)
    {
        _values.Add(_dialect.ToStored(value));
        return "@p" + (_values.Count - 1).ToString(CultureInfo.InvariantCulture);
    }

    private IncidentDto Read(DbDataReader r) => new(
        _dialect.ReadGuid(r, 0),
        r.GetString(1),
        r.IsDBNull(2) ? null : r.GetString(2),
        r.GetString(3),
        r.GetString(4),
        r.GetInt32(5),
        r.GetBoolean(6),
        r.GetString(7),
        r.IsDBNull(8) ? null : r.GetString(8),
        Instant(r, 9),
        r.IsDBNull(10) ? null : Instant(r, 10),
        r.GetDouble(11),
        r.GetDouble(12),
        r.IsDBNull(13) ? null : r.GetString(13),
        r.GetDouble(14),
        GeoCells.Format(r.GetInt64(15)),
        GeoCells.Format(r.GetInt64(16)),
        r.GetString(17),
        r.GetBoolean(18),
        r.IsDBNull(19) ? null : r.GetString(19),
        Instant(r, 20),
        Instant(r, 21));

    private DateTime Instant(DbDataReader r, int i) => _dialect.ReadInstant(r, i);
}
