using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Halo.Api.Features.Live;

/// <summary>
/// One scheduled run of a job, claimed by the instance that runs it: the primary key (job, scheduled fire time) lets
/// only one of several instances firing the same trigger run it (ADR 6).
/// </summary>
public sealed class JobClaim
{
    public required string Job { get; set; }
    public DateTime FireTime { get; set; }
    public required string Instance { get; set; }
    public DateTime ClaimedAt { get; set; }
}

internal sealed class JobClaimConfiguration : IEntityTypeConfiguration<JobClaim>
{
    public void Configure(EntityTypeBuilder<JobClaim> model)
    {
        model.ToTable("job_claims");
        model.HasKey(c => new { c.Job, c.FireTime });
        model.Property(c => c.Job).HasMaxLength(200);
        model.Property(c => c.Instance).HasMaxLength(200);
    }
}
