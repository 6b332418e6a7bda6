// Wire DTOs of /api/v1/push (snake_case). Records only, so the app can share this file.
namespace Halo.Api.Features.Push;

/// <summary>The browser's PushSubscription keys (base64url), as <c>subscription.toJSON().keys</c> gives them.</summary>
public sealed record PushKeysDto(string? P256dh, string? Auth);

/// <summary>POST body: <c>subscription.toJSON()</c> plus the alert language; header X-Device-Id for an anonymous device.</summary>
public sealed record PushSubscriptionRequest(string? Endpoint, PushKeysDto? Keys, string? Language);

public sealed record PushSubscriptionDto(Guid Id, string Endpoint, string Language, DateTime CreatedAt);

/// <summary>DELETE body (or <c>?endpoint=</c>).</summary>
public sealed record PushUnsubscribeRequest(string? Endpoint);

public sealed record VapidPublicKeyDto(string PublicKey);

/// <summary>What the service worker receives (decrypted) in its push event.</summary>
public sealed record PushPayload(string Title, string Body, string Type, string Tag, Guid? IncidentId, string? Cell, int? Severity, string Url);
