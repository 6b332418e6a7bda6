using System.ComponentModel.DataAnnotations;

namespace Halo.Api.Features.Ingestion;

/// <summary>The police poller (<c>Ingestion:Polisen</c>).</summary>
public sealed class PolisenPollerOptions
{
    public const string Section = "Ingestion:Polisen";

    /// <summary>Run the scheduled poller and allow manual triggers. Off: no call ever leaves the host.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Site root; tests point it at a fake server on 127.0.0.1.</summary>
    [Required, Url]
    public string BaseUrl { get; set; } = "https://polisen.se";

    [Required]
    public string EventsPath { get; set; } = "/api/events";

    [Range(typeof(TimeSpan), "00:00:10", "7.00:00:00")]
    public TimeSpan Interval { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Delay before the first scheduled run, so start-up (migrations, sample) settles first.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "7.00:00:00")]
    public TimeSpan StartDelay { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>The police ask for restraint: never two requests closer than this.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan MinCallInterval { get; set; } = TimeSpan.FromSeconds(10);

    [Range(typeof(TimeSpan), "00:00:00.010", "00:10:00")]
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(30);

    [Range(typeof(TimeSpan), "00:00:00.010", "01:00:00")]
    public TimeSpan TotalTimeout { get; set; } = TimeSpan.FromMinutes(3);

    [Range(0, 10)]
    public int MaxRetries { get; set; } = 3;

    /// <summary>Base delay of the exponential, jittered retry backoff (kept at the call spacing by default).</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:10:00")]
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>A Retry-After longer than this is not waited out inside the run; the next run waits instead.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan MaxRetryAfterWait { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Responses larger than this are refused (the real feed is ~200 KB).</summary>
    [Range(1024, 100_000_000)]
    public int MaxResponseBytes { get; set; } = 20_000_000;

    [Required]
    public string UserAgent { get; set; } = "Halo/1.0 (open-source safety-intelligence platform; polite poller, 1 request per 10 min)";
}
