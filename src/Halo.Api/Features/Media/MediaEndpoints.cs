using System.Globalization;
using System.Security.Cryptography;
using Halo.Api.Data;
using Halo.Api.Features.Auth;
using Halo.Api.Features.Media.Containers;
using Halo.Api.Features.Reports;
using Halo.Api.Infrastructure;
using Halo.Api.Infrastructure.RateLimiting;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Halo.Api.Features.Media;


public static class MediaEndpoints
{
    /// <summary>Until the auth feature lands, the uploading device proves ownership with this header (compared by HMAC).</summary>
    public const string DeviceHeader = "X-Device-Id";

    public static WebApplicationBuilder AddMedia(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<MediaOptions>().Bind(builder.Configuration.GetSection(MediaOptions.Section))
            .ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<MediaStore>();
        builder.Services.AddSingleton<DeviceIdentity>().AddServerSecret(DeviceIdentity.Secret);
        builder.Services.AddSingleton<MediaQuota>();
        builder.Services.AddSingleton<PhotoDecodeGate>();
        return builder;
    }

    public static IEndpointRouteBuilder MapMedia(this IEndpointRouteBuilder app)
    {
        // Evidence comes with anonymous reports too, so upload is open (and rate-limited); reading is restricted below.
        var group = app.MapGroup("/api/v1/media").WithTags("Media").AllowAnonymous();
        group.MapPost("/", Upload)
            .RequireRateLimiting(RateLimitPolicies.MediaUpload)
            .WithSummary("Uploads one evidence file (multipart field 'file', header X-Device-Id). Type by magic bytes, verified by walking the file; photos are re-encoded without EXIF (HEIC is stored as JPEG), audio and video stored without container metadata.")
            .Accepts<IFormFile>("multipart/form-data")
            .DisableAntiforgery()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        group.MapGet("/{id:guid}", Download).RequireRateLimiting(RateLimitPolicies.Reads)
            .WithSummary("The stored file, for the device that uploaded it (X-Device-Id), and for moderators and admins.");
        return app;
    }

    private static async Task<Results<Created<MediaUploadResponse>, ProblemHttpResult>> Upload(
        HttpContext http, HaloDbContext db, MediaStore store, DeviceIdentity devices, MediaQuota quota, PhotoDecodeGate decodes,
        IOptions<MediaOptions> options, TimeProvider clock, CancellationToken ct)
    {
        var o = options.Value;
        var deviceId = http.Request.Headers[DeviceHeader].ToString();
        if (deviceId.Length is < 8 or > 200)
            return Problem(StatusCodes.Status400BadRequest, "Device id required", $"The {DeviceHeader} header (8–200 characters) names the uploading device.");
        if (!MediaTypeHeaderValue.TryParse(http.Request.ContentType, out var contentType)
            || !contentType.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase)
            || HeaderUtilities.RemoveQuotes(contentType.Boundary).Length is 0 or > 200)
            return Problem(StatusCodes.Status415UnsupportedMediaType, "Multipart required", "Send multipart/form-data with the file in the field 'file'.");

        var deviceHash = devices.Hash(deviceId);
        var networkHash = quota.NetworkHash(http);
        // Refused before the body is read once the day's quota is used up.
        if (await quota.ExceededAsync(db, deviceHash, networkHash, 1, ct) is { } full) return OverQuota(http, full);

        // The route's own ceiling is the largest kind; each kind's limit is enforced while streaming below.
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } sizeFeature)
            sizeFeature.MaxRequestBodySize = MaxBytes(o) + 64 * 1024;

        var reader = new MultipartReader(HeaderUtilities.RemoveQuotes(contentType.Boundary).ToString(), http.Request.Body);
        string? temp = null;
        string? final = null;
        try
        {
            MultipartSection? section;
            while ((section = await reader.ReadNextSectionAsync(ct)) is not null)
            {
                if (ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var cd) && cd.IsFileDisposition()
                    && string.Equals(HeaderUtilities.RemoveQuotes(cd.Name).ToString(), "file", StringComparison.OrdinalIgnoreCase))
                    break;
            }
            if (section is null) return Problem(StatusCodes.Status400BadRequest, "No file", "The multipart body has no file in the field 'file'.");

            temp = store.NewTempPath();
            var received = await ReceiveAsync(section.Body, temp, o, ct);
            if (received.Error is { } error) return error;
            var type = received.Type!;
            int? width = null, height = null;
            SniffedType storedType;
            if (type.Kind == MediaKinds.Photo)
            {
                // HEIC is stored as the JPEG it is re-encoded to: few browsers can show HEIC, and the container is not kept.
                storedType = type == MediaSniffer.Heic ? MediaSniffer.Jpeg : type;
                if (type != MediaSniffer.Heic) PhotoPrecheck.Check(await File.ReadAllBytesAsync(temp, ct), type, o.MaxPhotoPixels);
                using var slot = await decodes.EnterAsync(ct);
                if (slot is null)
                {
                    http.Response.Headers.RetryAfter = Math.Max(1, Math.Ceiling(o.DecodeWaitSeconds)).ToString(CultureInfo.InvariantCulture);
                    return Problem(StatusCodes.Status503ServiceUnavailable, "Busy decoding photos", "Too many photos are being processed; retry after the time in Retry-After.");
                }
                final = store.PathOf(store.NewName(storedType.Extension));
                var photo = type == MediaSniffer.Heic
                    ? PhotoSanitizer.ReencodeHeic(temp, final, o.MaxPhotoPixels, o.JpegQuality)
                    : PhotoSanitizer.Reencode(temp, final, type, o.MaxPhotoPixels, o.JpegQuality);
                (width, height) = (photo.Width, photo.Height);
            }
            else
            {
                storedType = ContainerSanitizer.Sanitize(temp, type);
                final = store.PathOf(store.NewName(storedType.Extension));
                File.Move(temp, final);
                temp = null;
            }
            MediaStore.TryDelete(temp);
            temp = null;

            string sha;
            long size;
            await using (var stored = File.OpenRead(final))
            {
                sha = Convert.ToHexStringLower(await SHA256.HashDataAsync(stored, ct));
                size = stored.Length;
            }
            if (await quota.ExceededAsync(db, deviceHash, networkHash, size, ct) is { } over) return OverQuota(http, over);

            var item = new MediaItem
            {
                Id = Guid.NewGuid(),
                Kind = storedType.Kind,
                ContentType = storedType.ContentType,
                StoredName = Path.GetFileName(final),
                SizeBytes = size,
                Sha256 = sha,
                Width = width,
                Height = height,
                OwnerDeviceHash = deviceHash,
                NetworkHash = networkHash,
                CreatedAt = clock.GetUtcNow().UtcDateTime,
            };
            db.Add(item);
            await db.SaveChangesAsync(ct);
            final = null; // kept
            return TypedResults.Created($"/api/v1/media/{item.Id}",
                new MediaUploadResponse(item.Id, item.Kind, item.ContentType, item.SizeBytes, item.Sha256, item.Width, item.Height));
        }
        catch (MediaRejectedException ex)
        {
            return Problem(ex.StatusCode, ex.StatusCode == StatusCodes.Status413PayloadTooLarge ? "File too large" : "File rejected", ex.Message);
        }
        catch (InvalidDataException ex)
        {
            return Problem(StatusCodes.Status400BadRequest, "Malformed multipart body", ex.Message);
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return Problem(StatusCodes.Status413PayloadTooLarge, "File too large", "The request body exceeds every size limit.");
        }
        catch (IOException ex) when (Infrastructure.StoreErrors.Unavailable(ex) is null)
        {
            // The body ended early (shorter than its Content-Length, or without the closing boundary). When the client
            // has gone too, nobody reads this answer, but the request still ends as the client's fault, not the server's.
            return Problem(StatusCodes.Status400BadRequest, "Malformed multipart body", "The request body ended before the multipart body was complete.");
        }
        finally
        {
            // Whatever went wrong (rejection, client gone, database error), no partial or orphan file stays behind.
            MediaStore.TryDelete(temp);
            MediaStore.TryDelete(final);
        }
    }

    private static ProblemHttpResult OverQuota(HttpContext http, (string Detail, TimeSpan RetryAfter) over)
    {
        http.Response.Headers.RetryAfter = Math.Max(1, Math.Ceiling(over.RetryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        return Problem(StatusCodes.Status429TooManyRequests, "Daily upload quota reached", over.Detail);
    }

    private static long MaxBytes(MediaOptions o) => Math.Max(o.MaxVideoBytes, Math.Max(o.MaxAudioBytes, o.MaxPhotoBytes));

    private sealed record Received(SniffedType? Type, long Size, ProblemHttpResult? Error);

    /// <summary>Streams the part to <paramref name="path"/>, deciding the type from the first bytes and stopping at its limit.</summary>
    private static async Task<Received> ReceiveAsync(Stream body, string path, MediaOptions o, CancellationToken ct)
    {
        await using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, useAsync: true);
        var buffer = new byte[81920];
        var head = new byte[MediaSniffer.HeadBytes];
        var headLength = 0;
        long total = 0;
        SniffedType? type = null;
        long limit = 0;
        int n;
        while ((n = await body.ReadAsync(buffer, ct)) > 0)
        {
            if (type is null)
            {
                var take = Math.Min(n, head.Length - headLength);
                Array.Copy(buffer, 0, head, headLength, take);
                headLength += take;
                if (headLength == head.Length)
                {
                    type = MediaSniffer.Detect(head);
                    if (type is null) return new(null, 0, UnknownType());
                    limit = LimitOf(type, o);
                }
            }
            total += n;
            if (type is not null && total > limit) return new(type, total, TooLarge(type, limit));
            if (total > MaxBytes(o))
                return new(type, total, Problem(StatusCodes.Status413PayloadTooLarge, "File too large", "The file exceeds every size limit."));
            await file.WriteAsync(buffer.AsMemory(0, n), ct);
        }
        if (total == 0) return new(null, 0, Problem(StatusCodes.Status400BadRequest, "Empty file", "The file is empty."));
        if (type is null)
        {
            type = MediaSniffer.Detect(head.AsSpan(0, headLength));
            if (type is null) return new(null, 0, UnknownType());
            if (total > LimitOf(type, o)) return new(type, total, TooLarge(type, LimitOf(type, o)));
        }
        return new(type, total, null);
    }

    private static long LimitOf(SniffedType t, MediaOptions o) => t.Kind switch
    {
        MediaKinds.Photo => o.MaxPhotoBytes,
        MediaKinds.Audio => o.MaxAudioBytes,
        _ => o.MaxVideoBytes,
    };

    private static ProblemHttpResult UnknownType() => Problem(StatusCodes.Status415UnsupportedMediaType, "Unsupported file type",
        "The file's content is not an accepted format (photo: JPEG, PNG, WebP, HEIC; audio: WebM, Ogg, M4A, WAV; video: MP4, WebM, MOV). " +
        "The type is read from the bytes, not from the name or Content-Type.");

    private static ProblemHttpResult TooLarge(SniffedType t, long limit) => Problem(StatusCodes.Status413PayloadTooLarge, "File too large",
        $"A {t.Kind} may be at most {limit / (1024 * 1024)} MB ({limit} bytes).");

    private static ProblemHttpResult Problem(int status, string title, string detail) =>
        TypedResults.Problem(detail, statusCode: status, title: title);

    private static async Task<Results<PhysicalFileHttpResult, NotFound>> Download(
        Guid id, HttpContext http, HaloDbContext db, MediaStore store, DeviceIdentity devices, CancellationToken ct)
    {
        var item = await db.Set<MediaItem>().AsNoTracking().FirstOrDefaultAsync(m => m.Id == id, ct);
        // Not found and not yours look the same, so ids cannot be probed.
        if (item is null || !MediaAccess.CanRead(http, item, devices)) return TypedResults.NotFound();
        var path = store.PathOf(item.StoredName);
        if (!File.Exists(path)) return TypedResults.NotFound();
        http.Response.Headers.XContentTypeOptions = "nosniff";
        http.Response.Headers.CacheControl = "private, no-store";
        return TypedResults.PhysicalFile(path, item.ContentType, fileDownloadName: item.StoredName);
    }
}

/// <summary>Who may read a media file: the device that uploaded it, moderators and admins. Anyone else gets 404.</summary>
public static class MediaAccess
{
    public static bool CanRead(HttpContext http, MediaItem item, DeviceIdentity devices) =>
        http.User.IsInRole(Roles.Moderator) || http.User.IsInRole(Roles.Admin)
        || devices.Matches(http.Request.Headers[MediaEndpoints.DeviceHeader].ToString(), item.OwnerDeviceHash);
}
