using System.Buffers.Binary;
using System.Net;
using System.Security.Cryptography;
using Halo.Api.Features.Media;
using Halo.Api.Tests.Infrastructure;
using static Halo.Api.Tests.Features.Media.ContainerReading;
using static Halo.Api.Tests.Features.Reports.ReportTestHelpers;

namespace Halo.Api.Tests.Features.Media;

/// <summary>Audio and video: the container is verified and its metadata removed, the media data kept byte for byte.</summary>
public abstract class MediaContainerTests(HaloApiFactory factory)
{
    private readonly HttpClient _client = factory.CreateClient();
    private string MediaDir => Path.Combine(factory.DataDirectory, "media");

    private Task<HttpResponseMessage> Upload(byte[] bytes, string device) => _client.UploadMedia(bytes, device, "clip.bin");

    /// <summary>Uploads, checks the response, and returns the bytes GET /api/v1/media/{id} serves.</summary>
    private async Task<(MediaUploadResponse Up, byte[] Stored)> RoundTrip(byte[] original, string kind, string contentType)
    {
        var device = NewDevice();
        var res = await Upload(original, device);
        Assert.Equal(HttpStatusCode.Created, res.StatusCode);
        var up = await res.ReadAsync<MediaUploadResponse>();
        Assert.Equal((kind, contentType), (up.Kind, up.ContentType));
        var req = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/media/{up.MediaId}");
        req.Headers.Add(MediaEndpoints.DeviceHeader, device);
        var get = await _client.SendAsync(req);
        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        var stored = await get.Content.ReadAsByteArrayAsync();
        Assert.Equal(up.Sha256, Convert.ToHexStringLower(SHA256.HashData(stored)));
        Assert.Equal(up.SizeBytes, stored.Length);
        foreach (var secret in ContainerFixtures.Secrets) Assert.False(ContainsAscii(stored, secret), $"'{secret}' survived");
        return (up, stored);
    }

    private static void AssertMetadataPresent(byte[] original, params string[] secrets)
    {
        foreach (var secret in secrets) Assert.True(ContainsAscii(original, secret), $"the fixture must carry '{secret}'");
    }

    public static TheoryData<string, string, string> IsoFixtures => new()
    {
        { nameof(ContainerFixtures.Mp4WithGps), "video", "video/mp4" },
        { nameof(ContainerFixtures.Mp4FastStartAppleKeys), "video", "video/mp4" },
        { nameof(ContainerFixtures.MovWithLocation), "video", "video/quicktime" },
        { nameof(ContainerFixtures.M4aWithTags), "audio", "audio/mp4" },
    };

    private static byte[] Fixture(string name) =>
        (byte[])typeof(ContainerFixtures).GetMethod(name)!.Invoke(null, null)!;

    [Theory]
    [MemberData(nameof(IsoFixtures))]
    public async Task IsoMediaWithLocationAndTagsIsStoredWithoutThemAsAValidFileWithIdenticalMediaData(string fixture, string kind, string contentType)
    {
        var original = Fixture(fixture);
        AssertMetadataPresent(original, "SecretTitle", "SecretArtist");
        var before = IsoTree(original);
        Assert.NotEqual(0UL, CreationTime(original, before.Find("moov", "mvhd")!));

        var (_, stored) = await RoundTrip(original, kind, contentType);

        Assert.Equal(original.Length, stored.Length);
        Assert.True(stored.AsSpan().IndexOf(new byte[] { 0xA9, (byte)'x', (byte)'y', (byte)'z' }) < 0, "©xyz survived");
        var after = IsoTree(stored);
        // Same boxes at the top, in the same places: nothing moved, so chunk offsets still point at the same samples.
        Assert.Equal(before.Children.Select(b => (b.Start, b.Size)), after.Children.Select(b => (b.Start, b.Size)));
        Assert.Equal(ChunkOffsets(original, before), ChunkOffsets(stored, after));
        Assert.NotEmpty(ChunkOffsets(stored, after));
        var moov = after.Find("moov")!;
        Assert.NotNull(moov.Find("mvhd"));
        Assert.Contains(moov.Children, c => c.Type == "trak");
        Assert.DoesNotContain(All(after), b => b.Type is "udta" or "meta" or "uuid");
        foreach (var trak in moov.Children.Where(c => c.Type == "trak"))
        {
            Assert.NotNull(trak.Find("mdia", "minf", "stbl", "stsd"));
            Assert.Equal(0UL, CreationTime(stored, trak.Find("tkhd")!));
            Assert.Equal(0UL, CreationTime(stored, trak.Find("mdia", "mdhd")!));
        }
        Assert.Equal(0UL, CreationTime(stored, moov.Find("mvhd")!));
        // The media data is byte-identical, and so is the sample description a decoder needs.
        foreach (var mdat in after.Children.Where(b => b.Type == "mdat"))
            Assert.Equal(original[(int)mdat.Start..(int)mdat.End], stored[(int)mdat.Start..(int)mdat.End]);
        var stsd = All(before).Where(b => b.Type == "stsd").ToList();
        Assert.All(stsd, b => Assert.Equal(original[(int)b.Start..(int)b.End], stored[(int)b.Start..(int)b.End]));
    }

    [Fact]
    public async Task TimedMetadataTrackSamplesAreZeroedAndOtherTracksKeptByteForByte()
    {
        // The fixture's audio track relabelled as a timed-metadata track (handler 'meta'), as GPS telemetry tracks are.
        var original = ContainerFixtures.Mp4WithGps();
        var tree = IsoTree(original);
        var traks = tree.Find("moov")!.Children.Where(c => c.Type == "trak").ToList();
        var handler = All(traks[1]).First(b => b.Type == "hdlr");
        Assert.Equal("soun", System.Text.Encoding.ASCII.GetString(original, (int)handler.Start + handler.Header + 8, 4));
        "meta"u8.CopyTo(original.AsSpan((int)handler.Start + handler.Header + 8));
        var metaChunks = TrackChunks(original, traks[1]);
        var videoChunks = TrackChunks(original, traks[0]);
        Assert.All(metaChunks, c => Assert.Contains(original[(int)c.Start..(int)(c.Start + c.Length)], b => b != 0));

        var (_, stored) = await RoundTrip(original, "video", "video/mp4");
        Assert.All(metaChunks, c => Assert.All(stored[(int)c.Start..(int)(c.Start + c.Length)], b => Assert.Equal(0, b)));
        Assert.All(videoChunks, c => Assert.Equal(original[(int)c.Start..(int)(c.Start + c.Length)], stored[(int)c.Start..(int)(c.Start + c.Length)]));
    }

    /// <summary>A track's chunks as (offset, bytes), from stco, stsc and stsz (constant or per-sample sizes).</summary>
    private static List<(long Start, long Length)> TrackChunks(byte[] b, Box trak)
    {
        var stbl = trak.Find("mdia", "minf", "stbl")!;
        int At(string type) => (int)stbl.Children.Single(c => c.Type == type).Start + 8;
        uint U32(int at) => BinaryPrimitives.ReadUInt32BigEndian(b.AsSpan(at));
        var stco = At("stco");
        var offsets = Enumerable.Range(0, (int)U32(stco + 4)).Select(i => (long)U32(stco + 8 + i * 4)).ToList();
        var stsz = At("stsz");
        var constant = U32(stsz + 4);
        long Size(int i) => constant != 0 ? constant : U32(stsz + 12 + i * 4);
        var stsc = At("stsc");
        var entries = (int)U32(stsc + 4);
        var chunks = new List<(long, long)>();
        var sample = 0;
        for (var e = 0; e < entries; e++)
        {
            var first = (int)U32(stsc + 8 + e * 12);
            var perChunk = (int)U32(stsc + 12 + e * 12);
            var next = e + 1 < entries ? (int)U32(stsc + 20 + e * 12) : offsets.Count + 1;
            for (var chunk = first; chunk < next; chunk++)
            {
                long bytes = 0;
                for (var s = 0; s < perChunk; s++) bytes += Size(sample++);
                chunks.Add((offsets[chunk - 1], bytes));
            }
        }
        return chunks;
    }

    [Theory]
    [InlineData(nameof(ContainerFixtures.WebmWithTags), "video", "video/webm")]
    [InlineData(nameof(ContainerFixtures.WebmLive), "audio", "audio/webm")]
    public async Task WebmWithTitleAndTagsIsStoredWithoutThemAsValidWebmWithIdenticalClusters(string fixture, string kind, string contentType)
    {
        var original = Fixture(fixture);
        AssertMetadataPresent(original, "SecretTitle", "SecretArtist", "Lavf");
        var (_, stored) = await RoundTrip(original, kind, contentType);
        Assert.Equal(original.Length, stored.Length);

        var top = EbmlChildren(stored, 0, stored.Length);
        Assert.Equal(0x1A45DFA3u, top[0].Id);
        Assert.True(stored.AsSpan((int)top[0].DataStart, (int)top[0].Size).IndexOf("webm"u8) >= 0, "DocType webm");
        var segment = top[1];
        Assert.Equal(0x18538067u, segment.Id);
        var level1 = EbmlChildren(stored, segment.DataStart, segment.Size < 0 ? stored.Length : segment.End);
        var ids = level1.Select(e => e.Id).ToList();
        Assert.Contains(0x1549A966u, ids); // Info
        Assert.Contains(0x1654AE6Bu, ids); // Tracks
        Assert.Contains(0x1F43B675u, ids); // Cluster
        Assert.DoesNotContain(0x1254C367u, ids); // Tags
        var info = level1.First(e => e.Id == 0x1549A966);
        var infoIds = EbmlChildren(stored, info.DataStart, info.End).Select(e => e.Id).ToList();
        Assert.DoesNotContain(0x7BA9u, infoIds); // Title
        Assert.DoesNotContain(0x4461u, infoIds); // DateUTC
        Assert.Contains(0x2AD7B1u, infoIds); // TimestampScale

        // Clusters and tracks' codec data are untouched: take the clusters of the original and compare.
        var originalSegment = EbmlChildren(original, 0, original.Length)[1];
        var originalLevel1 = EbmlChildren(original, originalSegment.DataStart, originalSegment.Size < 0 ? original.Length : originalSegment.End);
        Assert.Contains(0x1254C367u, originalLevel1.Select(e => e.Id));
        var clusters = originalLevel1.Where(e => e.Id == 0x1F43B675).ToList();
        Assert.NotEmpty(clusters);
        foreach (var c in clusters)
        {
            var end = c.Size < 0 ? original.Length : (int)c.End;
            Assert.Equal(original[(int)c.Start..end], stored[(int)c.Start..end]);
        }
    }

    [Fact]
    public async Task WavWithListInfoAndBextIsStoredWithOnlyFormatAndIdenticalSamples()
    {
        var original = ContainerFixtures.WavWithInfo();
        AssertMetadataPresent(original, "SecretTitle", "SecretDevice");
        var originalChunks = RiffChunks(original);
        Assert.Contains(originalChunks, c => c.Id == "LIST");
        Assert.Contains(originalChunks, c => c.Id == "bext");

        var (_, stored) = await RoundTrip(original, "audio", "audio/wav");
        var chunks = RiffChunks(stored);
        Assert.Equal(["fmt ", "data"], chunks.Select(c => c.Id));
        foreach (var id in new[] { "fmt ", "data" })
        {
            var a = originalChunks.Single(c => c.Id == id);
            var b = chunks.Single(c => c.Id == id);
            Assert.Equal(original[a.Start..(a.Start + a.Size)], stored[b.Start..(b.Start + b.Size)]);
        }
    }

    [Theory]
    [InlineData(nameof(ContainerFixtures.OggOpusWithTags), "OpusTags")]
    [InlineData(nameof(ContainerFixtures.OggVorbisWithTags), "\u0003vorbis")]
    public async Task OggWithCommentsIsStoredWithAnEmptyCommentHeaderValidCrcsAndIdenticalAudio(string fixture, string magic)
    {
        var original = Fixture(fixture);
        AssertMetadataPresent(original, "SecretTitle", "creation_time");
        var (_, stored) = await RoundTrip(original, "audio", "audio/ogg");
        Assert.Equal(original.Length, stored.Length);
        Assert.False(ContainsAscii(stored, "creation_time"));

        var before = OggPages(original);
        var after = OggPages(stored);
        Assert.Equal(before.Select(p => (p.Start, p.Length, p.Serial, p.Sequence)), after.Select(p => (p.Start, p.Length, p.Serial, p.Sequence)));
        Assert.All(after, p => Assert.Equal(p.Crc, OggCrc(stored.AsSpan(p.Start, p.Length))));
        var packets = OggPackets(after, after[0].Serial);
        var originalPackets = OggPackets(before, before[0].Serial);
        var comment = packets[1];
        Assert.True(comment.AsSpan().StartsWith(System.Text.Encoding.Latin1.GetBytes(magic)));
        var at = magic.Length;
        Assert.Equal(0u, BinaryPrimitives.ReadUInt32LittleEndian(comment.AsSpan(at))); // vendor
        Assert.Equal(0u, BinaryPrimitives.ReadUInt32LittleEndian(comment.AsSpan(at + 4))); // comments
        // Identification, (Vorbis setup) and every audio packet are unchanged.
        Assert.Equal(originalPackets.Count, packets.Count);
        Assert.Equal(originalPackets[0], packets[0]);
        Assert.Equal(originalPackets[2..], packets[2..]);
    }

    public static TheoryData<string> Garbage => new()
    {
        "zeros", "zeros-after-ftyp", "zeros-after-ftyp-size-0", "random", "riff-wave-zeros", "oggs-garbage", "ebml-zeros",
        "mp4-truncated", "mp4-moov-only", "mp4-chunk-outside-mdat", "webm-truncated", "webm-no-tracks", "wav-truncated",
        "wav-no-data", "ogg-bad-crc", "ogg-truncated",
    };

    [Theory]
    [MemberData(nameof(Garbage))]
    public async Task ZerosGarbageAndBrokenContainersAre415AndLeaveNoFile(string how)
    {
        var before = Directory.Exists(MediaDir) ? Directory.GetFiles(MediaDir) : [];
        var res = await Upload(Broken(how), NewDevice());
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, res.StatusCode);
        Assert.Equal("application/problem+json", res.Content.Headers.ContentType?.MediaType);
        Assert.Equal(before, Directory.Exists(MediaDir) ? Directory.GetFiles(MediaDir) : []);
    }

    private static byte[] Broken(string how)
    {
        switch (how)
        {
            case "zeros": return new byte[100_000];
            case "zeros-after-ftyp": return TestFiles.FtypThenZeros(1_000_000);
            case "zeros-after-ftyp-size-0":
                var z = new byte[200_000];
                "ftypisom"u8.CopyTo(z.AsSpan(4)); // size 0: "to the end of the file"
                return z;
            case "random":
                var r = new byte[300_000];
                new Random(14).NextBytes(r);
                r[0] = 0x00; // not by chance a magic number
                return r;
            case "riff-wave-zeros":
                var w = new byte[50_000];
                "RIFF"u8.CopyTo(w);
                BinaryPrimitives.WriteUInt32LittleEndian(w.AsSpan(4), (uint)w.Length - 8);
                "WAVE"u8.CopyTo(w.AsSpan(8));
                return w;
            case "oggs-garbage":
                var o = new byte[50_000];
                new Random(15).NextBytes(o);
                "OggS\0"u8.CopyTo(o);
                return o;
            case "ebml-zeros":
                var e = new byte[50_000];
                ContainerFixtures.WebmWithTags().AsSpan(0, 40).CopyTo(e); // the real EBML header, then zeros
                return e;
            case "mp4-truncated": return ContainerFixtures.Mp4WithGps()[..2000];
            case "mp4-moov-only":
                // The faststart file cut after its moov: header intact, media data gone.
                var fast = ContainerFixtures.Mp4FastStartAppleKeys();
                var moov = IsoTree(fast).Find("moov")!;
                return fast[..(int)moov.End];
            case "mp4-chunk-outside-mdat":
                var m = ContainerFixtures.Mp4FastStartAppleKeys();
                var stco = All(IsoTree(m)).First(b => b.Type == "stco");
                BinaryPrimitives.WriteUInt32BigEndian(m.AsSpan((int)stco.Start + stco.Header + 8), (uint)m.Length - 4);
                return m;
            case "webm-truncated": return ContainerFixtures.WebmWithTags()[..900];
            case "webm-no-tracks":
                // Tracks' id turned into an unknown top-level id: a file without tracks.
                var t = ContainerFixtures.WebmWithTags();
                var seg = EbmlChildren(t, 0, t.Length)[1];
                var tracks = EbmlChildren(t, seg.DataStart, seg.End).First(x => x.Id == 0x1654AE6B);
                t[tracks.Start + 1] ^= 0x01;
                return t;
            case "wav-truncated": return ContainerFixtures.WavWithInfo()[..1000];
            case "wav-no-data":
                var nd = ContainerFixtures.WavWithInfo();
                var data = RiffChunks(nd).Single(c => c.Id == "data");
                "junk"u8.CopyTo(nd.AsSpan(data.Start - 8));
                return nd;
            case "ogg-bad-crc":
                var g = ContainerFixtures.OggOpusWithTags();
                g[^10] ^= 0x55;
                return g;
            case "ogg-truncated": return ContainerFixtures.OggOpusWithTags()[..500];
            default: throw new ArgumentException(how);
        }
    }
}

public sealed class MediaContainerSqliteTests(MediaSqliteFactory f) : MediaContainerTests(f), IClassFixture<MediaSqliteFactory>;

public sealed class MediaContainerPostgresTests(MediaPostgresFactory f) : MediaContainerTests(f), IClassFixture<MediaPostgresFactory>;
