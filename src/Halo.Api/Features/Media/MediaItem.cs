using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Halo.Api.Features.Media;

/// <summary>An uploaded evidence file, stored as <c>{DataDirectory}/media/{StoredName}</c>.</summary>
public sealed class MediaItem
{
    public Guid Id { get; set; }

    /// <summary><c>photo</c>, <c>audio</c> or <c>video</c>.</summary>
    public required string Kind { get; set; }

    /// <summary>Decided from the file's magic bytes (after re-encoding, for photos).</summary>
    public required string ContentType { get; set; }

    /// <summary>Server-generated file name; the client's name is never used.</summary>
    public required string StoredName { get; set; }

    public long SizeBytes { get; set; }

    /// <summary>SHA-256 (hex) of the stored bytes.</summary>
    public required string Sha256 { get; set; }

    public int? Width { get; set; }
    public int? Height { get; set; }

    /// <summary>HMAC of the uploading device's id (same key as reports); null once anonymised.</summary>
    public string? OwnerDeviceHash { get; set; }

    /// <summary>HMAC of the uploader's network (<c>ClientNetwork.Of</c>, same key as the device hash), for the daily
    /// network quota; the address itself is never stored.</summary>
    public string? NetworkHash { get; set; }

    /// <summary>Set when a signed-in user uploaded it (auth feature).</summary>
    public string? OwnerUserId { get; set; }

    /// <summary>The report the file is evidence for, once submitted.</summary>
    public Guid? ReportId { get; set; }

    public DateTime CreatedAt { get; set; }
}

public static class MediaKinds
{
    public const string Photo = "photo";
    public const string Audio = "audio";
    public const string Video = "video";
}

internal sealed class MediaItemConfiguration : IEntityTypeConfiguration<MediaItem>
{
    public void Configure(EntityTypeBuilder<MediaItem> m)
    {
        m.ToTable("media_items");
        m.HasKey(x => x.Id);
        m.Property(x => x.Kind).HasMaxLength(16);
        m.Property(x => x.ContentType).HasMaxLength(64);
        m.Property(x => x.StoredName).HasMaxLength(100);
        m.Property(x => x.Sha256).HasMaxLength(64);
        m.Property(x => x.OwnerDeviceHash).HasMaxLength(64);
        m.Property(x => x.NetworkHash).HasMaxLength(64);
        m.Property(x => x.OwnerUserId).HasMaxLength(128);
        m.HasIndex(x => x.ReportId);
        m.HasIndex(x => x.CreatedAt);
        // The daily quotas sum one uploader's rows of the day.
        m.HasIndex(x => new { x.OwnerDeviceHash, x.CreatedAt });
        m.HasIndex(x => new { x.NetworkHash, x.CreatedAt });
    }
}
