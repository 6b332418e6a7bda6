using System.ComponentModel.DataAnnotations;

namespace Halo.Api.Features.Media;

/// <summary>Evidence uploads (config section <c>Media</c>).</summary>
public sealed class MediaOptions
{
    public const string Section = "Media";

    [Range(1, long.MaxValue)] public long MaxPhotoBytes { get; set; } = 10L * 1024 * 1024;
    [Range(1, long.MaxValue)] public long MaxAudioBytes { get; set; } = 50L * 1024 * 1024;
    [Range(1, long.MaxValue)] public long MaxVideoBytes { get; set; } = 100L * 1024 * 1024;

    /// <summary>Decoded size limit (width × height): a small file can still declare a gigantic image.</summary>
    [Range(1, 500_000_000)] public long MaxPhotoPixels { get; set; } = 50_000_000;

    [Range(1, 100)] public int JpegQuality { get; set; } = 88;
}
