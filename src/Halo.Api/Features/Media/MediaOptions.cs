using System.ComponentModel.DataAnnotations;

namespace Halo.Api.Features.Media;

/// <summary>Evidence uploads (config section <c>Media</c>).</summary>
public sealed class MediaOptions
{
    public const string Section = "Media";

    [Range(1, long.MaxValue)] public long MaxPhotoBytes { get; set; } = 10L * 1024 * 1024;
    [Range(1, long.MaxValue)] public long MaxAudioBytes { get; set; } = 50L * 1024 * 1024;
    [Range(1, long.MaxValue)] public long MaxVideoBytes { get; set; } = 100L * 1024 * 1024;

    /// <summary>Decoded size limit (width × height), read from the header before decoding: a small file can still
    /// declare a gigantic image. A decode holds about 4 bytes per pixel, so this also bounds one decode's memory.</summary>
    [Range(1, 500_000_000)] public long MaxPhotoPixels { get; set; } = 40_000_000;

    /// <summary>Photos decoded at once (0 = one per core). Together with <see cref="MaxPhotoPixels"/> this bounds the
    /// memory all decodes can hold.</summary>
    [Range(0, 1024)] public int MaxConcurrentDecodes { get; set; }

    /// <summary>How long an upload waits for a decode slot before it gets 503 with Retry-After.</summary>
    [Range(0, 600)] public double DecodeWaitSeconds { get; set; } = 10;

    [Range(1, 100)] public int JpegQuality { get; set; } = 88;

    /// <summary>Stored bytes per client network (<c>ClientNetwork</c>: IPv4 /24, IPv6 /48) per UTC day.</summary>
    [Range(1, long.MaxValue)] public long DailyQuotaBytesPerNetwork { get; set; } = 2L * 1024 * 1024 * 1024;

    /// <summary>Stored bytes per uploading device (<c>X-Device-Id</c>) per UTC day.</summary>
    [Range(1, long.MaxValue)] public long DailyQuotaBytesPerDevice { get; set; } = 500L * 1024 * 1024;

    public int DecodeSlots => MaxConcurrentDecodes > 0 ? MaxConcurrentDecodes : Environment.ProcessorCount;
}
