using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Halo.Api.Data;

/// <summary>The embedded default store: one SQLite file under the data folder.</summary>
public sealed class SqliteHaloDbContext(DbContextOptions<SqliteHaloDbContext> options) : HaloDbContext(options)
{
    public override StoreDialect Dialect => SqliteDialect.Instance;

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // SQLite has no date type: store UTC ticks as INTEGER so range filters and ORDER BY are exact and indexable.
        configurationBuilder.Properties<DateTime>().HaveConversion<UtcTicksConverter>();
        configurationBuilder.Properties<DateTime?>().HaveConversion<UtcTicksConverter>();
    }

    /// <summary>How a DateTime is stored here; also used by hand-written SQL (IncidentPageSql).</summary>
    public static long ToStoredTicks(DateTime v) => v.ToUniversalTime().Ticks;

    public static DateTime FromStoredTicks(long v) => new(v, DateTimeKind.Utc);

    private sealed class UtcTicksConverter() : ValueConverter<DateTime, long>(
        v => ToStoredTicks(v),
        v => FromStoredTicks(v));
}
