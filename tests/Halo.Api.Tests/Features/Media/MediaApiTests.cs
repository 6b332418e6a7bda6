using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using Halo.Api.Features.Media;
using Halo.Api.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using SkiaSharp;
using static Halo.Api.Tests.Features.Reports.ReportTestHelpers;

namespace Halo.Api.Tests.Features.Media;

/// <summary>Evidence uploads: magic-byte typing, streamed limits, EXIF stripping, owner-only reads.</summary>
public abstract class MediaApiTests(HaloApiFactory factory)
{
    private readonly HttpClient _client = factory.CreateClient();
    private string MediaDir => Path.Combine(factory.DataDirectory, "media");

    private Task<HttpResponseMessage> Upload(byte[] bytes, string device, string fileName = "upload.bin", string contentType = "application/octet-stream") =>
        _client.UploadMedia(bytes, device, fileName, contentType);

    private async Task<HttpResponseMessage> Download(Guid id, string? device)
    {
        var req = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/media/{id}");
        if (device is not null) req.Headers.Add(MediaEndpoints.DeviceHeader, device);
        return await _client.SendAsync(req);
    }

    private string[] StoredFiles() => Directory.Exists(MediaDir) ? Directory.GetFiles(MediaDir) : [];

    [Fact]
    public async Task JpegWithGpsExifIsStoredWithoutItAndUpright()
    {
        var original = TestFiles.JpegWithGpsExif(40, 20, orientation: 6);
        // The crafted file really carries the tags: Skia reads the orientation from it.
        using (var codec = SKCodec.Create(new MemoryStream(original)))
            Assert.Equal(SKEncodedOrigin.RightTop, codec.EncodedOrigin);
        Assert.True(TestFiles.HasExifOrGps(original));

        var device = NewDevice();
        var res = await Upload(original, device, "IMG_0001.jpg", "image/jpeg");
        Assert.Equal(HttpStatusCode.Created, res.StatusCode);
        var up = await res.ReadAsync<MediaUploadResponse>();
        Assert.Equal("photo", up.Kind);
        Assert.Equal("image/jpeg", up.ContentType);
        Assert.Equal((20, 40), (up.Width, up.Height)); // rotated 90° as the tag said

        var stored = await (await Download(up.MediaId, device)).Content.ReadAsByteArrayAsync();
        Assert.False(TestFiles.HasExifOrGps(stored), "EXIF/GPS survived");
        Assert.Equal(up.Sha256, Convert.ToHexStringLower(SHA256.HashData(stored)));
        Assert.Equal(up.SizeBytes, stored.Length);
        using (var codec = SKCodec.Create(new MemoryStream(stored)))
        {
            Assert.Equal(SKEncodedOrigin.TopLeft, codec.EncodedOrigin);
            Assert.Equal(20, codec.Info.Width);
            Assert.Equal(40, codec.Info.Height);
        }
        // Orientation applied to the pixels: the red left half of the sensor image is now the top half.
        using var bmp = SKBitmap.Decode(stored);
        Assert.True(bmp.GetPixel(10, 5).Red > 200 && bmp.GetPixel(10, 5).Blue < 60, bmp.GetPixel(10, 5).ToString());
        Assert.True(bmp.GetPixel(10, 35).Blue > 200 && bmp.GetPixel(10, 35).Red < 60, bmp.GetPixel(10, 35).ToString());

        var row = await factory.WithDb(db => db.Set<MediaItem>().AsNoTracking().SingleAsync(m => m.Id == up.MediaId));
        Assert.DoesNotContain("IMG_0001", row.StoredName);
        Assert.True(File.Exists(Path.Combine(MediaDir, row.StoredName)));
        Assert.NotEqual(device, row.OwnerDeviceHash);
    }

    [Fact]
    public async Task MediaIsServedOnlyToTheUploadingDevice()
    {
        var device = NewDevice();
        var up = await (await Upload(TestFiles.Wav(2_000), device, "a.wav")).ReadAsync<MediaUploadResponse>();
        Assert.Equal("audio", up.Kind);
        Assert.Equal(HttpStatusCode.OK, (await Download(up.MediaId, device)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Download(up.MediaId, null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Download(up.MediaId, NewDevice())).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Download(Guid.NewGuid(), device)).StatusCode);
    }

    [Fact]
    public async Task ModeratorsAndAdminsMayReadOthersMediaButCitizensMayNot()
    {
        var up = await (await Upload(TestFiles.Wav(2_000), NewDevice(), "a.wav")).ReadAsync<MediaUploadResponse>();
        var url = $"/api/v1/media/{up.MediaId}";
        var citizen = await factory.CreateClientAsAsync(Halo.Api.Features.Auth.Roles.Citizen);
        var moderator = await factory.CreateClientAsAsync(Halo.Api.Features.Auth.Roles.Moderator);
        var admin = await factory.CreateClientAsAsync(Halo.Api.Features.Auth.Roles.Admin);

        Assert.Equal(HttpStatusCode.NotFound, (await citizen.GetAsync(url)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await moderator.GetAsync(url)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync(url)).StatusCode);
    }

    [Theory]
    [InlineData("elf")]
    [InlineData("pe")]
    [InlineData("script")]
    [InlineData("zip")]
    public async Task RenamedExecutableIsRejectedAndLeavesNoFile(string kind)
    {
        byte[] bytes = kind switch
        {
            "elf" => TestFiles.WithMagic([0x7F, (byte)'E', (byte)'L', (byte)'F', 2, 1, 1], 9_000),
            "pe" => TestFiles.WithMagic("MZ\x90\0"u8, 9_000),
            "script" => "#!/bin/sh\nrm -rf /\n"u8.ToArray(),
            _ => TestFiles.WithMagic("PK\x03\x04"u8, 9_000),
        };
        var before = StoredFiles();
        var res = await Upload(bytes, NewDevice(), "holiday.jpg", "image/jpeg");
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, res.StatusCode);
        Assert.Equal(before, StoredFiles());
    }

    [Fact]
    public async Task PhotoOverTenMegabytesIs413AndLeavesNoFile()
    {
        var before = StoredFiles();
        var bytes = TestFiles.WithMagic([0xFF, 0xD8, 0xFF, 0xE0], 10 * 1024 * 1024 + 1);
        var res = await Upload(bytes, NewDevice(), "big.jpg", "image/jpeg");
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, res.StatusCode);
        Assert.Equal(before, StoredFiles());
    }

    [Fact]
    public async Task AudioAndVideoOverTheirLimitsAre413AndLeaveNoFile()
    {
        // This factory lowers the audio/video limits (Media:MaxAudioBytes, Media:MaxVideoBytes) to keep the test fast.
        var before = StoredFiles();
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, (await Upload(TestFiles.Wav(1024 * 1024), NewDevice())).StatusCode);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, (await Upload(TestFiles.Mp4(2 * 1024 * 1024 + 1), NewDevice())).StatusCode);
        Assert.Equal(before, StoredFiles());
        // Just under the limits is fine.
        Assert.Equal(HttpStatusCode.Created, (await Upload(TestFiles.Wav(1024 * 1024 - 100), NewDevice())).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await Upload(TestFiles.Mp4(2 * 1024 * 1024), NewDevice())).StatusCode);
    }

    [Fact]
    public async Task HeicWithGpsExifIsStoredAsJpegWithoutIt()
    {
        var original = TestFiles.Heic();
        Assert.Same(MediaSniffer.Heic, MediaSniffer.Detect(original));
        Assert.True(TestFiles.HasExifOrGps(original), "the fixture must carry the GPS rationals");

        var device = NewDevice();
        var res = await Upload(original, device, "IMG_0002.HEIC", "image/heic");
        Assert.Equal(HttpStatusCode.Created, res.StatusCode);
        var up = await res.ReadAsync<MediaUploadResponse>();
        Assert.Equal("photo", up.Kind);
        Assert.Equal("image/jpeg", up.ContentType);
        // No irot/imir: shown as stored. The Exif item's orientation 6 is not applied (HEIF orientation is irot/imir).
        Assert.Equal((64, 32), (up.Width, up.Height));

        var stored = await (await Download(up.MediaId, device)).Content.ReadAsByteArrayAsync();
        Assert.Equal([0xFF, 0xD8, 0xFF], stored[..3]);
        Assert.False(TestFiles.HasExifOrGps(stored), "EXIF/GPS survived");
        Assert.Equal(up.Sha256, Convert.ToHexStringLower(SHA256.HashData(stored)));
        using var bmp = SKBitmap.Decode(stored);
        Assert.True(bmp.GetPixel(8, 16).Red > 200 && bmp.GetPixel(8, 16).Blue < 60, bmp.GetPixel(8, 16).ToString());
        Assert.True(bmp.GetPixel(56, 16).Blue > 200 && bmp.GetPixel(56, 16).Red < 60, bmp.GetPixel(56, 16).ToString());
        var row = await factory.WithDb(db => db.Set<MediaItem>().AsNoTracking().SingleAsync(m => m.Id == up.MediaId));
        Assert.EndsWith(".jpg", row.StoredName);
    }

    [Fact]
    public async Task HeicRotationPropertyIsAppliedToThePixels()
    {
        var device = NewDevice();
        var res = await Upload(TestFiles.HeicRotated(), device, "IMG_0003.HEIC", "image/heic");
        Assert.Equal(HttpStatusCode.Created, res.StatusCode);
        var up = await res.ReadAsync<MediaUploadResponse>();
        Assert.Equal((32, 64), (up.Width, up.Height));
        var stored = await (await Download(up.MediaId, device)).Content.ReadAsByteArrayAsync();
        Assert.False(TestFiles.HasExifOrGps(stored), "EXIF/GPS survived");
        // 90° anticlockwise: the red left half is now the bottom half.
        using var bmp = SKBitmap.Decode(stored);
        Assert.True(bmp.GetPixel(16, 8).Blue > 200 && bmp.GetPixel(16, 8).Red < 60, bmp.GetPixel(16, 8).ToString());
        Assert.True(bmp.GetPixel(16, 56).Red > 200 && bmp.GetPixel(16, 56).Blue < 60, bmp.GetPixel(16, 56).ToString());
    }

    [Theory]
    [InlineData("truncated")]
    [InlineData("meta-size-past-end")]
    [InlineData("box-smaller-than-header")]
    [InlineData("extent-outside-file")]
    [InlineData("reference-loop")]
    public async Task BrokenOrHostileHeicIs415AndLeavesNoFile(string how)
    {
        var before = StoredFiles();
        var res = await Upload(TestFiles.HeicBroken(how), NewDevice(), "IMG.HEIC", "image/heic");
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, res.StatusCode);
        Assert.Contains("HEIC", await res.Content.ReadAsStringAsync());
        Assert.Equal(before, StoredFiles());
    }

    [Fact]
    public async Task UndecodableHeicAndJpegAre415()
    {
        var heic = new byte[5_000];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(heic, 24);
        "ftypheic"u8.CopyTo(heic.AsSpan(4));
        var res = await Upload(heic, NewDevice(), "IMG.HEIC", "image/heic");
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, res.StatusCode);
        Assert.Contains("HEIC", await res.Content.ReadAsStringAsync());
        // JPEG magic followed by garbage.
        var fake = TestFiles.WithMagic([0xFF, 0xD8, 0xFF, 0xE0], 5_000);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, (await Upload(fake, NewDevice(), "x.jpg", "image/jpeg")).StatusCode);
        Assert.Empty(Directory.GetFiles(MediaDir, "*.part"));
    }

    [Theory]
    [InlineData("png", "image/png")]
    [InlineData("webp-lossy", "image/webp")]
    [InlineData("webp-lossless", "image/webp")]
    public async Task PngAndWebpPassTheHeaderCheckAndAreStoredReencoded(string format, string contentType)
    {
        var original = TestFiles.Photo(format, 48, 24);
        var device = NewDevice();
        var res = await Upload(original, device, "photo");
        Assert.Equal(HttpStatusCode.Created, res.StatusCode);
        var up = await res.ReadAsync<MediaUploadResponse>();
        Assert.Equal((contentType, 48, 24), (up.ContentType, up.Width, up.Height));
        var stored = await (await Download(up.MediaId, device)).Content.ReadAsByteArrayAsync();
        using var bmp = SKBitmap.Decode(stored);
        Assert.Equal((48, 24), (bmp.Width, bmp.Height));
    }

    [Theory]
    [InlineData("png")]
    [InlineData("webp-lossy")]
    [InlineData("webp-lossless")]
    [InlineData("jpeg")]
    public async Task TruncatedPhotoIs415AndLeavesNoFile(string format)
    {
        var before = StoredFiles();
        var whole = TestFiles.Photo(format, 300, 200);
        var res = await Upload(whole[..(whole.Length * 2 / 3)], NewDevice(), "photo");
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, res.StatusCode);
        Assert.Contains("truncated", await res.Content.ReadAsStringAsync());
        Assert.Equal(before, StoredFiles());
    }

    [Fact]
    public async Task UploadWithoutDeviceOrMultipartIsRejected()
    {
        using var form = new MultipartFormDataContent { { new ByteArrayContent(TestFiles.Wav(100)), "file", "a.wav" } };
        Assert.Equal(HttpStatusCode.BadRequest, (await _client.PostAsync("/api/v1/media", form)).StatusCode);
        var req = new HttpRequestMessage(HttpMethod.Post, "/api/v1/media") { Content = JsonContent.Create(new { a = 1 }) };
        req.Headers.Add(MediaEndpoints.DeviceHeader, NewDevice());
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, (await _client.SendAsync(req)).StatusCode);
    }

    [Fact]
    public async Task ReportWithMediaFlagsItsClusterAndTheMediaCannotBeReused()
    {
        var device = NewDevice();
        var up = await (await Upload(TestFiles.JpegWithGpsExif(16, 16, 1), device, "a.jpg")).ReadAsync<MediaUploadResponse>();
        var (lat, lon) = NewPlace();
        var r = await _client.SubmitOk(Body(device, lat, lon, factory.Now().AddMinutes(-5), mediaIds: [up.MediaId]));
        var cluster = await _client.Cluster(r.IncidentId);
        Assert.True(cluster!.HasMedia);
        Assert.Equal(1, cluster.Reports.Single().MediaCount);
        // Another device cannot attach it, nor can it be attached twice.
        var other = await _client.SubmitRaw(Body(NewDevice(), lat, lon, factory.Now(), mediaIds: [up.MediaId]));
        Assert.Equal(HttpStatusCode.BadRequest, other.StatusCode);
        var (lat2, lon2) = NewPlace();
        Assert.Equal(HttpStatusCode.BadRequest, (await _client.SubmitRaw(Body(device, lat2, lon2, factory.Now(), mediaIds: [up.MediaId]))).StatusCode);
    }
}

public sealed class MediaSqliteFactory : HaloApiFactory
{
    public MediaSqliteFactory() : base(DbProvider.Sqlite)
    {
        With("Media:MaxAudioBytes", (1024 * 1024).ToString(System.Globalization.CultureInfo.InvariantCulture));
        With("Media:MaxVideoBytes", (2 * 1024 * 1024).ToString(System.Globalization.CultureInfo.InvariantCulture));
    }
}

public sealed class MediaPostgresFactory : HaloApiFactory
{
    public MediaPostgresFactory() : base(DbProvider.Postgres)
    {
        With("Media:MaxAudioBytes", (1024 * 1024).ToString(System.Globalization.CultureInfo.InvariantCulture));
        With("Media:MaxVideoBytes", (2 * 1024 * 1024).ToString(System.Globalization.CultureInfo.InvariantCulture));
    }
}

public sealed class MediaApiSqliteTests(MediaSqliteFactory f) : MediaApiTests(f), IClassFixture<MediaSqliteFactory>;

public sealed class MediaApiPostgresTests(MediaPostgresFactory f) : MediaApiTests(f), IClassFixture<MediaPostgresFactory>;
