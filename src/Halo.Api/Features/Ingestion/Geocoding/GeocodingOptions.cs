using System.ComponentModel.DataAnnotations;

namespace Halo.Api.Features.Ingestion.Geocoding;

/// <summary>Optional refinement of coarse police positions (<c>Geocoding</c>). Without <see cref="Url"/> nothing is looked up.</summary>
public sealed class GeocodingOptions
{
    public const string Section = "Geocoding";

    /// <summary>Base URL of a Nominatim-compatible server (its <c>/search</c> endpoint is used). Empty: off.</summary>
    public string? Url { get; set; }

    [Required]
    public string UserAgent { get; set; } = "Halo/1.0 (open-source safety-intelligence platform)";

    /// <summary>Nominatim's usage policy allows one request per second.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00")]
    public TimeSpan MinCallInterval { get; set; } = TimeSpan.FromSeconds(1);

    [Range(typeof(TimeSpan), "00:00:00.010", "00:05:00")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Events refined per poll at most (each costs up to <see cref="MaxCandidates"/> look-ups).</summary>
    [Range(1, 1000)]
    public int MaxPerRun { get; set; } = 20;

    [Range(1, 10)]
    public int MaxCandidates { get; set; } = 3;

    /// <summary>Only events published this recently are refined (old imports are not geocoded en masse).</summary>
    [Range(typeof(TimeSpan), "00:01:00", "365.00:00:00")]
    public TimeSpan Lookback { get; set; } = TimeSpan.FromDays(2);

    public bool IsEnabled => !string.IsNullOrWhiteSpace(Url);

    public bool HasValidUrl => !IsEnabled || (Uri.TryCreate(Url, UriKind.Absolute, out var u) && (u.Scheme == Uri.UriSchemeHttp || u.Scheme == Uri.UriSchemeHttps));
}
