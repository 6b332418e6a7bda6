namespace Halo.Api.Features.Media;

/// <summary>What the first bytes of a file say it is. Names and client content types are never consulted.</summary>
public sealed record SniffedType(string Kind, string ContentType, string Extension);

public static class MediaSniffer
{
    /// <summary>Bytes needed to decide (WebM's track type may sit a few hundred bytes in).</summary>
    public const int HeadBytes = 4096;

    public static readonly SniffedType Jpeg = new(MediaKinds.Photo, "image/jpeg", ".jpg");
    public static readonly SniffedType Png = new(MediaKinds.Photo, "image/png", ".png");
    public static readonly SniffedType WebP = new(MediaKinds.Photo, "image/webp", ".webp");
    public static readonly SniffedType Heic = new(MediaKinds.Photo, "image/heic", ".heic");
    public static readonly SniffedType Wav = new(MediaKinds.Audio, "audio/wav", ".wav");
    public static readonly SniffedType Ogg = new(MediaKinds.Audio, "audio/ogg", ".ogg");
    public static readonly SniffedType M4a = new(MediaKinds.Audio, "audio/mp4", ".m4a");
    public static readonly SniffedType WebmAudio = new(MediaKinds.Audio, "audio/webm", ".webm");
    public static readonly SniffedType WebmVideo = new(MediaKinds.Video, "video/webm", ".webm");
    public static readonly SniffedType Mp4 = new(MediaKinds.Video, "video/mp4", ".mp4");
    public static readonly SniffedType Mov = new(MediaKinds.Video, "video/quicktime", ".mov");

    private static readonly string[] HeicBrands = ["heic", "heix", "hevc", "hevx", "heim", "heis", "mif1", "msf1"];
    private static readonly string[] M4aBrands = ["M4A ", "M4B ", "M4P "];

    /// <summary>The type, or null when the bytes are none of the accepted formats.</summary>
    public static SniffedType? Detect(ReadOnlySpan<byte> head)
    {
        if (head.Length >= 3 && head[0] == 0xFF && head[1] == 0xD8 && head[2] == 0xFF) return Jpeg;
        if (head.StartsWith((ReadOnlySpan<byte>)[0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A])) return Png;
        if (head.Length >= 12 && Ascii(head, 0, 4) == "RIFF")
        {
            var form = Ascii(head, 8, 4);
            if (form == "WEBP") return WebP;
            if (form == "WAVE") return Wav;
            return null;
        }
        if (Ascii(head, 0, 4) == "OggS") return Ogg;
        if (head.Length >= 4 && head[0] == 0x1A && head[1] == 0x45 && head[2] == 0xDF && head[3] == 0xA3)
        {
            // EBML: only WebM (not Matroska generally). A video track (TrackType element 0x83 = 1) makes it video.
            if (head.IndexOf("webm"u8) < 0) return null;
            return head.IndexOf((ReadOnlySpan<byte>)[0x83, 0x81, 0x01]) >= 0 ? WebmVideo : WebmAudio;
        }
        if (head.Length >= 12 && Ascii(head, 4, 4) == "ftyp")
        {
            var brand = Ascii(head, 8, 4);
            if (HeicBrands.Contains(brand)) return Heic;
            if (M4aBrands.Contains(brand)) return M4a;
            if (brand == "qt  ") return Mov;
            return Mp4; // isom, iso2, mp41, mp42, avc1, dash, 3gp…: the ISO base media family
        }
        if (head.Length >= 8 && Ascii(head, 4, 4) is "moov" or "mdat" or "wide" or "free") return Mov; // QuickTime without ftyp
        return null;
    }

    private static string Ascii(ReadOnlySpan<byte> b, int offset, int count) =>
        b.Length < offset + count ? "" : System.Text.Encoding.ASCII.GetString(b.Slice(offset, count));
}
