using Halo.Api.Data;
using Halo.Api.Features.Alerts;
using Halo.Api.Features.Reports;
using Halo.Api.Infrastructure;
using Halo.Api.Infrastructure.RateLimiting;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Halo.Api.Features.Push;

public static class PushEndpoints
{
    public static IEndpointRouteBuilder MapPush(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/push").WithTags("Push").AllowAnonymous().RequireRateLimiting(RateLimitPolicies.Reads);
        group.MapGet("/vapid-public-key", (VapidKeys keys) => TypedResults.Ok(new VapidPublicKeyDto(keys.PublicKey)))
            .WithSummary("The application server key (VAPID, base64url) for PushManager.subscribe({ applicationServerKey }).");
        group.MapPost("/subscriptions", Subscribe)
            .WithSummary("Registers a browser push subscription for the signed-in user or the X-Device-Id device (same endpoint again: updated).");
        group.MapDelete("/subscriptions", Unsubscribe).WithSummary("Removes the subscription with this endpoint (body {endpoint} or ?endpoint=).");
        return app;
    }

    private static async Task<Results<Created<PushSubscriptionDto>, Ok<PushSubscriptionDto>, ValidationProblem, ProblemHttpResult>> Subscribe(
        PushSubscriptionRequest? body, HttpContext http, HaloDbContext db, DeviceIdentity devices, IOptions<PushOptions> options, TimeProvider clock,
        CancellationToken ct)
    {
        var (owner, error) = AlertsEndpoints.OwnerOf(http, devices);
        if (error is not null) return error;
        var v = new Validation();
        var endpoint = v.Text("endpoint", body?.Endpoint, 2048, required: true);
        if (endpoint is not null && (!Uri.TryCreate(endpoint, UriKind.Absolute, out var uri)
                || !(uri.Scheme == Uri.UriSchemeHttps || options.Value.AllowInsecureEndpoints && uri.Scheme == Uri.UriSchemeHttp)))
            v.Add("endpoint", "Must be the subscription's https URL.");
        var p256dh = body?.Keys?.P256dh;
        var auth = body?.Keys?.Auth;
        if (Decode(p256dh) is not { Length: 65 } point || point[0] != 0x04) v.Add("keys.p256dh", "Must be the base64url P-256 public key (65 bytes, uncompressed).");
        if (Decode(auth) is not { Length: 16 }) v.Add("keys.auth", "Must be the base64url 16-byte auth secret.");
        var language = (body?.Language ?? AlertDefaults.Language).Trim().ToLowerInvariant();
        if (!AlertDefaults.Languages.Contains(language)) v.Add("language", "Must be sv or en.");
        if (!v.IsValid) return TypedResults.ValidationProblem(v.Errors);

        var row = await db.Set<PushSubscriptionRow>().FirstOrDefaultAsync(s => s.Endpoint == endpoint, ct);
        var created = row is null;
        if (row is null)
        {
            row = new PushSubscriptionRow { Id = Guid.CreateVersion7(clock.GetUtcNow()), Endpoint = endpoint!, P256dh = p256dh!, Auth = auth!, CreatedAt = clock.GetUtcNow().UtcDateTime };
            db.Add(row);
        }
        // The browser owns the endpoint: whoever registers it now (a sign-in on this browser) is its owner.
        row.P256dh = p256dh!;
        row.Auth = auth!;
        row.UserId = owner!.Value.UserId;
        row.DeviceHash = owner.Value.DeviceHash;
        row.Language = language;
        await db.SaveChangesAsync(ct);
        var dto = new PushSubscriptionDto(row.Id, row.Endpoint, row.Language, row.CreatedAt);
        return created ? TypedResults.Created("/api/v1/push/subscriptions", dto) : TypedResults.Ok(dto);
    }

    private static async Task<Results<NoContent, NotFound, ValidationProblem>> Unsubscribe(
        [FromQuery(Name = "endpoint")] string? query, HttpContext http, HaloDbContext db, CancellationToken ct)
    {
        var endpoint = query;
        if (string.IsNullOrEmpty(endpoint) && http.Request.ContentLength > 0)
            endpoint = (await http.Request.ReadFromJsonAsync<PushUnsubscribeRequest>(AlertsEndpoints.Json, ct))?.Endpoint;
        if (string.IsNullOrEmpty(endpoint))
        {
            var v = new Validation();
            v.Add("endpoint", "Is required.");
            return TypedResults.ValidationProblem(v.Errors);
        }
        // Knowing the endpoint (a capability URL only the browser and Halo hold) is what proves ownership here.
        var deleted = await db.Set<PushSubscriptionRow>().Where(s => s.Endpoint == endpoint).ExecuteDeleteAsync(ct);
        return deleted == 0 ? TypedResults.NotFound() : TypedResults.NoContent();
    }

    private static byte[]? Decode(string? base64Url)
    {
        if (string.IsNullOrEmpty(base64Url) || base64Url.Length > 200) return null;
        try { return WebEncoders.Base64UrlDecode(base64Url.TrimEnd('=')); }
        catch (FormatException) { return null; }
    }
}
