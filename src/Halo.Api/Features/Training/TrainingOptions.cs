using System.ComponentModel.DataAnnotations;

namespace Halo.Api.Features.Training;

/// <summary>The scheduled retrain of the models (config section <c>Training</c>).</summary>
public sealed class TrainingOptions
{
    public const string Section = "Training";

    /// <summary>Quartz cron of the daily retrain (UTC; seconds first: <c>0 0 2 * * ?</c> is 02:00 every day).</summary>
    [Required]
    public string RetrainCron { get; set; } = "0 0 2 * * ?";

    public bool DailyRetrainEnabled { get; set; } = true;
}
