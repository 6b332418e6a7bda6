using System.ComponentModel.DataAnnotations;

namespace Halo.Api.Features.Incidents;

public sealed class IncidentsOptions
{
    public const string Section = "Incidents";

    [Range(1, 500)] public int DefaultPageSize { get; set; } = 100;
    [Range(1, 500)] public int MaxPageSize { get; set; } = 500;
    [Range(0.1, 1000)] public double MaxRadiusKm { get; set; } = 100;
    [Range(1, 3650)] public int MaxRollingDays { get; set; } = 3650;

    /// <summary>Clock skew tolerated before an <c>occurred_at</c> counts as "in the future" (staff incidents and citizen reports).</summary>
    [Range(0, 3600)] public int FutureSkewSeconds { get; set; } = 300;

    /// <summary>Longest description of a staff incident or a citizen report.</summary>
    [Range(1, 10_000)] public int MaxDescriptionLength { get; set; } = 2000;

    /// <summary>SQLite only: how many newest rows an area search walks in time order before using the spatial index.</summary>
    [Range(1, 1_000_000)] public int DenseScanRows { get; set; } = 5000;
}
