using System.Data;
using System.Text.RegularExpressions;
using Halo.Api.Features.Incidents;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Npgsql;

namespace Halo.Api.Data;

/// <summary>
/// Bulk insert of new incidents on PostgreSQL with binary COPY: several times faster than INSERT … RETURNING, which
/// also reads back the computed geography of every row. Columns come from the EF model, so they follow migrations;
/// computed columns are left to the database. COPY is one statement, so a batch lands whole or not at all.
/// </summary>
internal static partial class PostgresCopy
{
    public static async Task InsertAsync(HaloDbContext db, IReadOnlyList<Incident> rows, CancellationToken ct)
    {
        var entity = db.Model.FindEntityType(typeof(Incident))!;
        var table = StoreObjectIdentifier.Table(entity.GetTableName()!, entity.GetSchema());
        var columns = entity.GetProperties()
            .Where(p => p.GetComputedColumnSql() is null && p.PropertyInfo is not null && p.GetColumnName(table) is not null)
            .Select(p => (Property: p.PropertyInfo!, Name: p.GetColumnName(table)!, Type: Facets().Replace(p.GetColumnType(), "")))
            .ToList();
        var sql = $"COPY \"{table.Name}\" ({string.Join(", ", columns.Select(c => $"\"{c.Name}\""))}) FROM STDIN (FORMAT BINARY)";

        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        var opened = connection.State != ConnectionState.Open;
        if (opened) await db.Database.OpenConnectionAsync(ct);
        try
        {
            await using var writer = await connection.BeginBinaryImportAsync(sql, ct);
            foreach (var row in rows)
            {
                await writer.StartRowAsync(ct);
                foreach (var c in columns)
                {
                    var value = c.Property.GetValue(row);
                    if (value is null) await writer.WriteNullAsync(ct);
                    else await writer.WriteAsync(value, c.Type, ct);
                }
            }
            await writer.CompleteAsync(ct);
        }
        finally
        {
            if (opened) await db.Database.CloseConnectionAsync();
        }
    }

    // "character varying(64)" -> "character varying": COPY wants the base type name.
    [GeneratedRegex(@"\(.*\)")]
    private static partial Regex Facets();
}
