using Halo.Api.Features.Media;
using Halo.Api.Features.Media.Containers;

namespace Halo.Api.Tests.Features.Media;

/// <summary>
/// Mutated and truncated copies of real files go through the container and photo checks directly: each is either
/// accepted or refused with <see cref="MediaRejectedException"/> (a 4xx), never another exception (a 500).
/// Seeds are fixed, so a failure names a reproducible input.
/// </summary>
public sealed class MediaFuzzTests
{
    public static TheoryData<string> Containers => new()
    {
        nameof(ContainerFixtures.Mp4WithGps), nameof(ContainerFixtures.Mp4FastStartAppleKeys), nameof(ContainerFixtures.MovWithLocation),
        nameof(ContainerFixtures.M4aWithTags), nameof(ContainerFixtures.WebmWithTags), nameof(ContainerFixtures.WebmLive),
        nameof(ContainerFixtures.WavWithInfo), nameof(ContainerFixtures.OggOpusWithTags), nameof(ContainerFixtures.OggVorbisWithTags),
    };

    private static IEnumerable<(string How, byte[] Bytes)> Mutations(byte[] original, int seed)
    {
        var random = new Random(seed);
        for (var i = 0; i < 150; i++)
        {
            var b = (byte[])original.Clone();
            // Flip one to four bytes, biased towards the headers, where sizes and ids live.
            var flips = random.Next(1, 5);
            for (var f = 0; f < flips; f++)
            {
                var at = random.Next(2) == 0 ? random.Next(Math.Min(b.Length, 256)) : random.Next(b.Length);
                b[at] = random.Next(3) switch { 0 => 0xFF, 1 => 0x00, _ => (byte)random.Next(256) };
            }
            yield return ($"mutation {i}", b);
        }
        for (var i = 0; i < 40; i++)
        {
            var cut = random.Next(1, original.Length);
            yield return ($"cut at {cut}", original[..cut]);
        }
    }

    [Theory]
    [MemberData(nameof(Containers))]
    public void MutatedContainersAreAcceptedOrRefusedButNeverThrowAnythingElse(string fixture)
    {
        var original = (byte[])typeof(ContainerFixtures).GetMethod(fixture)!.Invoke(null, null)!;
        var path = Path.Combine(Path.GetTempPath(), "halo-fuzz-" + Guid.NewGuid().ToString("N"));
        try
        {
            foreach (var (how, bytes) in Mutations(original, fixture.Sum(c => c)))
            {
                var type = MediaSniffer.Detect(bytes.AsSpan(0, Math.Min(bytes.Length, MediaSniffer.HeadBytes)));
                if (type is null || type.Kind == MediaKinds.Photo) continue; // refused by the sniffer already
                File.WriteAllBytes(path, bytes);
                try { ContainerSanitizer.SanitizeStrict(path, type); }
                catch (MediaRejectedException) { }
                catch (Exception ex) { throw new Xunit.Sdk.XunitException($"{fixture}, {how}: {ex}"); }
            }
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData("png")]
    [InlineData("jpeg")]
    [InlineData("webp-lossy")]
    [InlineData("webp-lossless")]
    public void MutatedPhotoHeadersAreAcceptedOrRefusedButNeverThrowAnythingElse(string format)
    {
        var original = TestFiles.Photo(format, 120, 80);
        foreach (var (how, bytes) in Mutations(original, format.Length * 7919))
        {
            var type = MediaSniffer.Detect(bytes.AsSpan(0, Math.Min(bytes.Length, MediaSniffer.HeadBytes)));
            if (type is null || type == MediaSniffer.Heic || type.Kind != MediaKinds.Photo) continue;
            try { PhotoPrecheck.CheckStrict(bytes, type, 40_000_000); }
            catch (MediaRejectedException) { }
            catch (Exception ex) { throw new Xunit.Sdk.XunitException($"{format}, {how}: {ex}"); }
        }
    }
}
