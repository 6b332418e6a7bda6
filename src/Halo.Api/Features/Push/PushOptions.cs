using System.ComponentModel.DataAnnotations;

namespace Halo.Api.Features.Push;

/// <summary>Web Push (config section <c>Push</c>). The VAPID private key is the server secret <c>VapidPrivateKey</c>.</summary>
public sealed class PushOptions
{
    public const string Section = "Push";

    /// <summary>VAPID <c>sub</c>: how a push service can reach the operator (mailto: or https: URL, RFC 8292).</summary>
    [Required]
    public string Subject { get; set; } = "mailto:admin@localhost";

    /// <summary>How long a push service keeps an undelivered alert (its TTL header); the queue drops it after that too.</summary>
    [Range(0, 2_419_200)]
    public int TimeToLiveSeconds { get; set; } = 3600;

    /// <summary>Tries per push before it is dropped (5xx, 408, network errors back off exponentially from 5 s).</summary>
    [Range(1, 50)]
    public int MaxAttempts { get; set; } = 8;

    /// <summary>How often the send queue is checked for due pushes (new alerts wake it at once).</summary>
    [Range(1, 3600)]
    public int PollSeconds { get; set; } = 5;

    /// <summary>Accept http:// subscription endpoints (tests and a local push service only; browsers' endpoints are https).</summary>
    public bool AllowInsecureEndpoints { get; set; }
}
