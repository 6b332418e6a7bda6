using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Halo.Api.Features.Push;

/// <summary>A browser's push subscription (RFC 8030 endpoint + RFC 8291 keys), of a signed-in user or an anonymous device.</summary>
public sealed class PushSubscriptionRow
{
    public Guid Id { get; set; }
    public required string Endpoint { get; set; }
    /// <summary>The client's P-256 public key (base64url, uncompressed point).</summary>
    public required string P256dh { get; set; }
    /// <summary>The client's 16-byte auth secret (base64url).</summary>
    public required string Auth { get; set; }
    public Guid? UserId { get; set; }
    /// <summary>HMAC of the device id (Reports' DeviceIdentity), never the id.</summary>
    public string? DeviceHash { get; set; }
    public string Language { get; set; } = "sv";
    public DateTime CreatedAt { get; set; }
    public DateTime? LastSentAt { get; set; }
}

/// <summary>A push waiting to be delivered (the persistent send queue).</summary>
public sealed class PushQueueItem
{
    public Guid Id { get; set; }
    public Guid SubscriptionId { get; set; }
    /// <summary>The JSON the service worker receives (encrypted on the wire).</summary>
    public required string Payload { get; set; }
    public string? Topic { get; set; }
    public string Urgency { get; set; } = "normal";
    public int TtlSeconds { get; set; }
    public DateTime CreatedAt { get; set; }
    /// <summary>Not sent before this (a retry's backoff, or a push service's Retry-After).</summary>
    public DateTime NotBefore { get; set; }
    public int Attempts { get; set; }
    public string? LastError { get; set; }
}

internal sealed class PushSubscriptionConfiguration : IEntityTypeConfiguration<PushSubscriptionRow>
{
    public void Configure(EntityTypeBuilder<PushSubscriptionRow> model)
    {
        model.ToTable("push_subscriptions");
        model.HasKey(s => s.Id);
        model.Property(s => s.Endpoint).HasMaxLength(2048);
        model.Property(s => s.P256dh).HasMaxLength(128);
        model.Property(s => s.Auth).HasMaxLength(64);
        model.Property(s => s.DeviceHash).HasMaxLength(64);
        model.Property(s => s.Language).HasMaxLength(8);
        model.HasIndex(s => s.Endpoint).IsUnique();
        model.HasIndex(s => s.UserId);
        model.HasIndex(s => s.DeviceHash);
        model.HasOne<Auth.User>().WithMany().HasForeignKey(s => s.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class PushQueueConfiguration : IEntityTypeConfiguration<PushQueueItem>
{
    public void Configure(EntityTypeBuilder<PushQueueItem> model)
    {
        model.ToTable("push_queue");
        model.HasKey(q => q.Id);
        model.Property(q => q.Payload).HasMaxLength(4000);
        model.Property(q => q.Topic).HasMaxLength(32);
        model.Property(q => q.Urgency).HasMaxLength(16);
        model.Property(q => q.LastError).HasMaxLength(1000);
        model.HasIndex(q => q.NotBefore);
        model.HasOne<PushSubscriptionRow>().WithMany().HasForeignKey(q => q.SubscriptionId).OnDelete(DeleteBehavior.Cascade);
    }
}
