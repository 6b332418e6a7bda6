using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Halo.Api.Data;

/// <summary>
/// A data migration: a one-off rewrite of stored rows that SQL alone cannot do (it needs H3, or a server key). Each runs
/// once, right after the schema migrations, and is recorded here so it never runs again.
/// </summary>
public sealed class DataFix
{
    public required string Id { get; set; }
    public DateTime AppliedAt { get; set; }
    public int RowsChanged { get; set; }
}

internal sealed class DataFixConfiguration : IEntityTypeConfiguration<DataFix>
{
    public void Configure(EntityTypeBuilder<DataFix> b)
    {
        b.ToTable("data_fixes");
        b.HasKey(x => x.Id);
        b.Property(x => x.Id).HasMaxLength(100);
    }
}

/// <summary>A data migration, registered in DI; <see cref="DataRegistration.MigrateAsync"/> runs the pending ones in name order.</summary>
public interface IDataFix
{
    /// <summary>Stable and sortable, e.g. <c>2026-12-02-public-cells</c>.</summary>
    string Id { get; }

    /// <summary>Rewrites what it must and saves; returns the number of rows changed.</summary>
    Task<int> ApplyAsync(HaloDbContext db, CancellationToken ct);
}
