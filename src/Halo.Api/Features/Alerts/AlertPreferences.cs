using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Halo.Api.Features.Alerts;

/// <summary>
/// One owner's alert settings: a signed-in user's (<see cref="UserId"/>) or an anonymous device's, held by its push
/// subscription (<see cref="PushSubscriptionId"/>; deleted with it).
/// </summary>
public sealed class AlertPreferences
{
    public Guid Id { get; set; }
    public Guid? UserId { get; set; }
    public Guid? PushSubscriptionId { get; set; }
    public int RadiusM { get; set; } = AlertDefaults.RadiusM;
    public string MinRiskLevel { get; set; } = AlertDefaults.MinRiskLevel;
    /// <summary>Category codes, comma-separated; null means every category.</summary>
    public string? Categories { get; set; }
    /// <summary>Quiet hours as local "HH:mm" (Alerts:TimeZone); both null means none.</summary>
    public string? QuietFrom { get; set; }
    public string? QuietTo { get; set; }
    public string Language { get; set; } = AlertDefaults.Language;
    /// <summary>Watched places (home, work) as JSON: [{name, latitude, longitude, radius_m}].</summary>
    public string WatchedPlacesJson { get; set; } = "[]";
    public DateTime UpdatedAt { get; set; }
}

public static class AlertDefaults
{
    /// <summary>500 m: wider radii drown people in alerts about things they cannot see (Citizen's alert fatigue).</summary>
    public const int RadiusM = 500;
    public const string MinRiskLevel = "high";
    public const string Language = "sv";
    public const int MinRadiusM = 50;
    public const int MaxRadiusM = 5000;
    public const int MaxWatchedPlaces = 10;
    public static readonly string[] RiskLevels = ["low", "medium", "high", "critical"];
    public static readonly string[] Languages = ["sv", "en"];
}

internal sealed class AlertPreferencesConfiguration : IEntityTypeConfiguration<AlertPreferences>
{
    public void Configure(EntityTypeBuilder<AlertPreferences> model)
    {
        model.ToTable("alert_preferences");
        model.HasKey(p => p.Id);
        model.Property(p => p.MinRiskLevel).HasMaxLength(16);
        model.Property(p => p.Categories).HasMaxLength(1000);
        model.Property(p => p.QuietFrom).HasMaxLength(5);
        model.Property(p => p.QuietTo).HasMaxLength(5);
        model.Property(p => p.Language).HasMaxLength(8);
        model.Property(p => p.WatchedPlacesJson).HasMaxLength(8000);
        model.HasIndex(p => p.UserId).IsUnique();
        model.HasIndex(p => p.PushSubscriptionId).IsUnique();
        model.HasOne<Auth.User>().WithMany().HasForeignKey(p => p.UserId).OnDelete(DeleteBehavior.Cascade);
        model.HasOne<Push.PushSubscriptionRow>().WithMany().HasForeignKey(p => p.PushSubscriptionId).OnDelete(DeleteBehavior.Cascade);
    }
}
