using System.ComponentModel.DataAnnotations;

namespace Halo.Api.Features.Alerts;

/// <summary>Geofence alerts (config section <c>Alerts</c>).</summary>
public sealed class AlertOptions
{
    public const string Section = "Alerts";

    /// <summary>One alert of a type per device in this window (severity 5 incidents are never held back).</summary>
    [Range(0, 1440)]
    public int CooldownMinutes { get; set; } = 30;

    /// <summary>A posted position is forgotten after this long without a new one (the app posts while it is open).</summary>
    [Range(1, 1440)]
    public int PositionTtlMinutes { get; set; } = 30;

    /// <summary>Incidents that occurred longer ago than this raise no alert (a backfill of old events is not news).</summary>
    [Range(1, 720)]
    public int MaxIncidentAgeHours { get; set; } = 6;

    /// <summary>Time zone of quiet hours and of the alert texts' clock.</summary>
    [Required]
    public string TimeZone { get; set; } = "Europe/Stockholm";

    public TimeZoneInfo Zone() => TimeZoneInfo.FindSystemTimeZoneById(TimeZone);
}
