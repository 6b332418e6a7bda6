using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Halo.Api.Features.ModelRegistry;

internal sealed class ModelVersionConfiguration : IEntityTypeConfiguration<ModelVersion>
{
    public void Configure(EntityTypeBuilder<ModelVersion> model)
    {
        model.ToTable("model_versions");
        model.HasKey(m => m.Id);
        model.Property(m => m.Kind).HasMaxLength(32);
        model.Property(m => m.Version).HasMaxLength(64);
        model.Property(m => m.ModelName).HasMaxLength(64);
        model.Property(m => m.WhyChosen).HasMaxLength(2000);
        model.Property(m => m.Status).HasMaxLength(16);
        model.Property(m => m.Error).HasMaxLength(4000);
        model.HasIndex(m => new { m.Kind, m.Version }).IsUnique();
        // "Latest ready model of a kind" is the query every start and every swap runs.
        model.HasIndex(m => new { m.Kind, m.Status, m.TrainedAt });
    }
}
