using System.Buffers.Binary;
using System.Diagnostics;
using System.IO.Compression;
using System.Net;
using Halo.Api.Features.Media;
using Halo.Api.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using static Halo.Api.Tests.Features.Reports.ReportTestHelpers;

namespace Halo.Api.Tests.Features.Media;

/// <summary>Memory and time are measured for the whole process, so these tests run alone (no other test in parallel).</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MeasuredCollection
{
    public const string Name = "Measured: runs alone";
}

public sealed class MediaPhotoLimitFactory : HaloApiFactory
{
    public MediaPhotoLimitFactory() : base(DbProvider.Sqlite)
    {
        With("Media:MaxConcurrentDecodes", "1");
        With("Media:DecodeWaitSeconds", "3");
    }
}

/// <summary>Photos that would cost a full-size decode are refused from their header, quickly and with bounded memory.</summary>
[Collection(MeasuredCollection.Name)]
public sealed class MediaPhotoLimitTests(MediaPhotoLimitFactory factory, Xunit.Abstractions.ITestOutputHelper output) : IClassFixture<MediaPhotoLimitFactory>
{
    private readonly HttpClient _client = factory.CreateClient();

    private Task<HttpResponseMessage> Upload(byte[] bytes) => _client.UploadMedia(bytes, NewDevice(), "photo.png", "image/png");

    private static long StatusKb(string key)
    {
        var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith(key + ":", StringComparison.Ordinal));
        return long.Parse(line[(key.Length + 1)..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
    }

    private sealed record Cost(TimeSpan Elapsed, long PeakRssGrowthBytes, long AllocatedBytes);

    /// <summary>Runs <paramref name="work"/> and measures wall time, the growth of the process's peak resident set
    /// (reset first through /proc/self/clear_refs) and managed allocations. Native bitmaps count in the resident set.</summary>
    private static async Task<Cost> Measure(Func<Task> work)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        File.WriteAllText("/proc/self/clear_refs", "5");
        var rss = StatusKb("VmRSS") * 1024;
        var allocated = GC.GetTotalAllocatedBytes(precise: true);
        var watch = Stopwatch.StartNew();
        await work();
        watch.Stop();
        return new Cost(watch.Elapsed, StatusKb("VmHWM") * 1024 - rss, GC.GetTotalAllocatedBytes(precise: true) - allocated);
    }

    private async Task WarmUp()
    {
        // The first upload pays for start-up (JIT, migrations, Skia loading): not part of what is measured.
        Assert.Equal(HttpStatusCode.Created, (await Upload(TestFiles.JpegWithGpsExif(16, 16, 1))).StatusCode);
    }

    private void AssertCheap(Cost cost, long maxPeakGrowth, string what)
    {
        output.WriteLine($"{what}: {cost.Elapsed.TotalMilliseconds:F0} ms, peak RSS +{cost.PeakRssGrowthBytes >> 20} MB, managed {cost.AllocatedBytes >> 20} MB");
        // An accepted 7000×7000 decode costs a 196 MB bitmap: the resident set shows it whatever the machine's load,
        // which the wall time printed above does not.
        Assert.True(cost.PeakRssGrowthBytes < maxPeakGrowth, $"{what}: peak resident set grew {cost.PeakRssGrowthBytes >> 20} MB");
        Assert.True(cost.AllocatedBytes < 64L << 20, $"{what}: allocated {cost.AllocatedBytes >> 20} MB of managed memory");
    }

    [Theory]
    [InlineData(7000, HttpStatusCode.RequestEntityTooLarge)] // 49 MP: over the pixel limit, from the header alone
    [InlineData(6000, HttpStatusCode.UnsupportedMediaType)] // 36 MP: allowed in size, but truncated
    public async Task TruncatedPngDeclaringHugeDimensionsIsRefusedFastWithBoundedMemory(int side, HttpStatusCode expected)
    {
        await WarmUp();
        var png = PhotoBombs.TruncatedPng(side, side);
        Assert.InRange(png.Length, 80, 120);
        HttpResponseMessage? res = null;
        var cost = await Measure(async () => res = await Upload(png));
        AssertCheap(cost, 100L << 20, $"one truncated {side}×{side} PNG");
        Assert.Equal(expected, res!.StatusCode);
        Assert.Equal("application/problem+json", res.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task EightTruncatedPngBombsInParallelAreRefusedWithBoundedMemory()
    {
        await WarmUp();
        var png = PhotoBombs.TruncatedPng(6000, 6000);
        HttpResponseMessage[] results = [];
        var cost = await Measure(async () => results = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Upload(png))));
        AssertCheap(cost, 150L << 20, "eight truncated PNGs");
        Assert.All(results, r => Assert.Equal(HttpStatusCode.UnsupportedMediaType, r.StatusCode));
    }

    [Fact]
    public async Task CompletePngWhoseDataIsFarTooSmallForItsDimensionsIsRefusedWithoutDecoding()
    {
        await WarmUp();
        // 6000×6000 (under the pixel limit) with a valid zlib stream and IEND, but far less data than deflate can expand.
        var png = PhotoBombs.Png(6000, 6000, rawBytes: 100_000);
        HttpResponseMessage? res = null;
        var cost = await Measure(async () => res = await Upload(png));
        AssertCheap(cost, 100L << 20, "undersized PNG");
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, res!.StatusCode);
        Assert.Contains("far too small", await res.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task RealDeflateBombOverThePixelLimitIs413FromItsHeader()
    {
        await WarmUp();
        // 7000×7000 of zeros, really compressed (about 190 KB): every byte is there, but 49 MP is over the 40 MP default.
        var png = PhotoBombs.Png(7000, 7000, rawBytes: 7000L * (1 + 7000 * 4));
        Assert.True(png.Length < 400_000, $"{png.Length} bytes");
        HttpResponseMessage? res = null;
        var cost = await Measure(async () => res = await Upload(png));
        AssertCheap(cost, 100L << 20, "deflate bomb");
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, res!.StatusCode);
    }

    [Theory]
    [InlineData("dimensions-patched")]
    [InlineData("truncated")]
    public async Task JpegDeclaringFarMorePixelsThanItsDataCanHoldIsRefusedFast(string how)
    {
        await WarmUp();
        var jpeg = how == "truncated" ? PhotoBombs.TruncatedJpeg() : PhotoBombs.JpegWithPatchedSize(7000, 5000);
        HttpResponseMessage? res = null;
        var cost = await Measure(async () => res = await Upload(jpeg));
        AssertCheap(cost, 100L << 20, $"JPEG {how}");
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, res!.StatusCode);
    }

    [Fact]
    public async Task UploadWaitingTooLongForADecodeSlotGets503WithRetryAfter()
    {
        await WarmUp();
        var gate = factory.Services.GetRequiredService<PhotoDecodeGate>();
        var slot = await gate.EnterAsync(CancellationToken.None);
        Assert.NotNull(slot); // the only slot (Media:MaxConcurrentDecodes = 1)
        HttpResponseMessage res;
        try
        {
            var upload = Upload(TestFiles.JpegWithGpsExif(16, 16, 1));
            var until = DateTime.UtcNow.AddSeconds(20);
            while (gate.Waiting == 0 && DateTime.UtcNow < until) await Task.Delay(10);
            Assert.Equal(1, gate.Waiting);
            Assert.False(upload.IsCompleted);
            factory.Clock.Advance(TimeSpan.FromSeconds(3));
            res = await upload.WaitAsync(TimeSpan.FromSeconds(20));
        }
        finally
        {
            slot!.Dispose();
        }
        Assert.Equal(HttpStatusCode.ServiceUnavailable, res.StatusCode);
        Assert.Equal("application/problem+json", res.Content.Headers.ContentType?.MediaType);
        Assert.Equal(TimeSpan.FromSeconds(3), res.Headers.RetryAfter?.Delta);
        // With the slot free again the same photo is accepted.
        Assert.Equal(HttpStatusCode.Created, (await Upload(TestFiles.JpegWithGpsExif(16, 16, 1))).StatusCode);
    }
}

/// <summary>Hostile photos: headers that promise far more pixels than the file holds.</summary>
public static class PhotoBombs
{
    /// <summary>Signature, IHDR for <paramref name="w"/>×<paramref name="h"/> RGBA, and the start of an IDAT: no IEND.</summary>
    public static byte[] TruncatedPng(int w, int h)
    {
        var png = new List<byte>(PngSignature);
        png.AddRange(Chunk("IHDR", Ihdr(w, h)));
        // The start of a zlib stream, cut off: what a 100-byte file can carry.
        var noise = new byte[256];
        new Random(7000).NextBytes(noise);
        png.AddRange(Chunk("IDAT", Zlib(noise)[..40]));
        return [.. png];
    }

    /// <summary>A complete PNG whose IDAT is <paramref name="rawBytes"/> zero bytes, compressed.</summary>
    public static byte[] Png(int w, int h, long rawBytes)
    {
        var png = new List<byte>(PngSignature);
        png.AddRange(Chunk("IHDR", Ihdr(w, h)));
        using var compressed = new MemoryStream();
        using (var z = new ZLibStream(compressed, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            var zeros = new byte[1 << 20];
            for (var left = rawBytes; left > 0; left -= zeros.Length) z.Write(zeros, 0, (int)Math.Min(left, zeros.Length));
        }
        png.AddRange(Chunk("IDAT", compressed.ToArray()));
        png.AddRange(Chunk("IEND", []));
        return [.. png];
    }

    /// <summary>A real 64×48 JPEG whose SOF0 is patched to declare <paramref name="w"/>×<paramref name="h"/>.</summary>
    public static byte[] JpegWithPatchedSize(int w, int h)
    {
        var jpeg = TestFiles.Photo("jpeg", 64, 48);
        var sof = jpeg.AsSpan().IndexOf(new byte[] { 0xFF, 0xC0 });
        BinaryPrimitives.WriteUInt16BigEndian(jpeg.AsSpan(sof + 5), (ushort)h);
        BinaryPrimitives.WriteUInt16BigEndian(jpeg.AsSpan(sof + 7), (ushort)w);
        return jpeg;
    }

    /// <summary>A real 1200×900 JPEG cut in the middle of its scan.</summary>
    public static byte[] TruncatedJpeg()
    {
        var jpeg = TestFiles.Photo("jpeg", 1200, 900);
        return jpeg[..(jpeg.Length / 2)];
    }

    private static readonly byte[] PngSignature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    private static byte[] Ihdr(int w, int h)
    {
        var d = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(d, w);
        BinaryPrimitives.WriteInt32BigEndian(d.AsSpan(4), h);
        d[8] = 8; // bit depth
        d[9] = 6; // RGBA
        return d;
    }

    private static byte[] Zlib(byte[] data)
    {
        using var m = new MemoryStream();
        using (var z = new ZLibStream(m, CompressionLevel.SmallestSize, leaveOpen: true)) z.Write(data);
        return m.ToArray();
    }

    private static byte[] Chunk(string type, byte[] data)
    {
        var c = new byte[12 + data.Length];
        BinaryPrimitives.WriteInt32BigEndian(c, data.Length);
        System.Text.Encoding.ASCII.GetBytes(type).CopyTo(c, 4);
        data.CopyTo(c, 8);
        BinaryPrimitives.WriteUInt32BigEndian(c.AsSpan(8 + data.Length), Crc32(c.AsSpan(4, 4 + data.Length)));
        return c;
    }

    /// <summary>PNG's CRC-32 (reflected 0xEDB88320), bit by bit.</summary>
    private static uint Crc32(ReadOnlySpan<byte> bytes)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in bytes)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++) crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320 : crc >> 1;
        }
        return ~crc;
    }
}
