using System.Buffers.Binary;

namespace Halo.Api.Features.Media;

/// <summary>
/// Reads a photo's declared size and structure before anything is decoded, so that a small file cannot make the
/// decoder allocate and fill a full-size bitmap: too many pixels is 413; a file that is truncated, or whose compressed
/// data is too small to hold the pixels it declares, is 415. HEIC is checked by its own decoder's header read.
/// </summary>
public static class PhotoPrecheck
{
    /// <summary>Deflate's best case is about 1032:1 (258-byte matches coded in 2 bits); zlib framing adds a little.</summary>
    public const int DeflateMaxRatio = 1032;

    public static (int Width, int Height) Check(ReadOnlySpan<byte> file, SniffedType type, long maxPixels)
    {
        try
        {
            return CheckStrict(file, type, maxPixels);
        }
        catch (Exception ex) when (ex is ArgumentOutOfRangeException or IndexOutOfRangeException or OverflowException)
        {
            // A missed bound on hostile input is still the file's fault (the fuzz tests call CheckStrict to find them).
            throw new MediaRejectedException("The image file is malformed.");
        }
    }

    internal static (int Width, int Height) CheckStrict(ReadOnlySpan<byte> file, SniffedType type, long maxPixels) => type.ContentType switch
    {
        "image/png" => Png(file, maxPixels),
        "image/jpeg" => Jpeg(file, maxPixels),
        "image/webp" => WebP(file, maxPixels),
        _ => throw new ArgumentException("Not a precheckable photo type.", nameof(type)),
    };

    private static void CheckPixels(long w, long h, long maxPixels)
    {
        if (w <= 0 || h <= 0) throw new MediaRejectedException("The image has no pixels.");
        if (w * h > maxPixels)
            throw new MediaRejectedException($"The image is too large ({w}×{h}); at most {maxPixels} pixels.", StatusCodes.Status413PayloadTooLarge);
    }

    private static MediaRejectedException Truncated(string format) => new($"The {format} file is truncated or malformed.");

    private static MediaRejectedException TooLittleData(string format, long w, long h) =>
        new($"The {format} file is far too small for the {w}×{h} pixels it declares (truncated or a decompression bomb).");

    private static (int, int) Png(ReadOnlySpan<byte> b, long maxPixels)
    {
        // Signature (8), then chunks: length, type, data, CRC. IHDR comes first.
        if (b.Length < 8 + 25) throw Truncated("PNG");
        var p = 8;
        if (BinaryPrimitives.ReadUInt32BigEndian(b[p..]) != 13 || !b.Slice(p + 4, 4).SequenceEqual("IHDR"u8)) throw Truncated("PNG");
        long w = BinaryPrimitives.ReadUInt32BigEndian(b[(p + 8)..]), h = BinaryPrimitives.ReadUInt32BigEndian(b[(p + 12)..]);
        int depth = b[p + 16], color = b[p + 17];
        int channels = color switch { 0 => 1, 2 => 3, 3 => 1, 4 => 2, 6 => 4, _ => 0 };
        var depthOk = color switch
        {
            0 => depth is 1 or 2 or 4 or 8 or 16,
            3 => depth is 1 or 2 or 4 or 8,
            _ => depth is 8 or 16,
        };
        if (channels == 0 || !depthOk || b[p + 18] != 0 || b[p + 19] != 0 || b[p + 20] > 1) throw Truncated("PNG");
        CheckPixels(w, h, maxPixels);

        long idat = 0;
        var sawEnd = false;
        while (p + 12 <= b.Length)
        {
            long length = BinaryPrimitives.ReadUInt32BigEndian(b[p..]);
            if (length > int.MaxValue || p + 12 + length > b.Length) throw Truncated("PNG");
            var chunk = b.Slice(p + 4, 4);
            if (chunk.SequenceEqual("IDAT"u8)) idat += length;
            p += 12 + (int)length;
            if (chunk.SequenceEqual("IEND"u8)) { sawEnd = true; break; }
        }
        if (!sawEnd || idat == 0) throw Truncated("PNG");
        // Each row is a filter byte plus its packed samples (interlacing only adds bytes).
        var raw = h * (1 + (w * channels * depth + 7) / 8);
        if (idat * DeflateMaxRatio + 1024 < raw) throw TooLittleData("PNG", w, h);
        return ((int)w, (int)h);
    }

    private static (int, int) Jpeg(ReadOnlySpan<byte> b, long maxPixels)
    {
        if (b.Length < 4 || b[0] != 0xFF || b[1] != 0xD8) throw Truncated("JPEG");
        var p = 2;
        long w = 0, h = 0, blocks = 0, entropy = 0;
        while (true)
        {
            // A marker: one or more 0xFF fill bytes, then its code. Stray bytes before it are skipped, as libjpeg does.
            while (p < b.Length && b[p] != 0xFF) p++;
            while (p < b.Length && b[p] == 0xFF) p++;
            if (p >= b.Length) throw Truncated("JPEG");
            var marker = b[p++];
            if (marker == 0xD9) break; // EOI
            if (marker is >= 0xD0 and <= 0xD7 or 0x01) continue; // no length
            if (p + 2 > b.Length) throw Truncated("JPEG");
            var length = BinaryPrimitives.ReadUInt16BigEndian(b[p..]);
            if (length < 2 || p + length > b.Length) throw Truncated("JPEG");
            var segment = b.Slice(p + 2, length - 2);
            p += length;
            if (marker is >= 0xC0 and <= 0xCF and not 0xC4 and not 0xC8 and not 0xCC)
            {
                // Baseline, extended and progressive Huffman only: lossless, hierarchical and arithmetic-coded JPEGs
                // are not written by cameras and arithmetic coding would defeat the size check below.
                if (marker is not (0xC0 or 0xC1 or 0xC2)) throw new MediaRejectedException("This JPEG coding (lossless, hierarchical or arithmetic) is not accepted.");
                if (w != 0 || segment.Length < 6) throw Truncated("JPEG");
                h = BinaryPrimitives.ReadUInt16BigEndian(segment[1..]);
                w = BinaryPrimitives.ReadUInt16BigEndian(segment[3..]);
                int components = segment[5];
                if (components is 0 or > 4 || segment.Length < 6 + 3 * components) throw Truncated("JPEG");
                CheckPixels(w, h, maxPixels);
                int hMax = 1, vMax = 1;
                for (var c = 0; c < components; c++)
                {
                    hMax = Math.Max(hMax, segment[7 + 3 * c] >> 4);
                    vMax = Math.Max(vMax, segment[7 + 3 * c] & 15);
                }
                for (var c = 0; c < components; c++)
                {
                    int hi = segment[7 + 3 * c] >> 4, vi = segment[7 + 3 * c] & 15;
                    if (hi is 0 or > 4 || vi is 0 or > 4) throw Truncated("JPEG");
                    var cw = (w * hi + hMax - 1) / hMax;
                    var ch = (h * vi + vMax - 1) / vMax;
                    blocks += ((cw + 7) / 8) * ((ch + 7) / 8);
                }
            }
            else if (marker == 0xDA)
            {
                if (w == 0) throw Truncated("JPEG");
                // Entropy-coded data runs to the next marker that is not a stuffed 0x00 or a restart marker.
                var start = p;
                while (p + 1 < b.Length && !(b[p] == 0xFF && b[p + 1] != 0x00 && b[p + 1] is not (>= 0xD0 and <= 0xD7)))
                    p++;
                if (p + 1 >= b.Length) throw Truncated("JPEG");
                entropy += p - start;
            }
        }
        if (w == 0 || entropy == 0) throw Truncated("JPEG");
        // Every 8×8 block needs at least one Huffman-coded bit (its DC difference) in some scan.
        if (entropy * 8 < blocks) throw TooLittleData("JPEG", w, h);
        return ((int)w, (int)h);
    }

    private static (int, int) WebP(ReadOnlySpan<byte> b, long maxPixels)
    {
        // RIFF size, then chunks; the first is VP8 (lossy), VP8L (lossless) or VP8X (extended, canvas size).
        if (b.Length < 30) throw Truncated("WebP");
        long riff = BinaryPrimitives.ReadUInt32LittleEndian(b[4..]);
        if (riff + 8 > b.Length || riff < 22) throw Truncated("WebP");
        var end = (int)riff + 8;
        var p = 12;
        long w = 0, h = 0;
        var hasImage = false;
        while (p + 8 <= end)
        {
            var fourcc = b.Slice(p, 4);
            long size = BinaryPrimitives.ReadUInt32LittleEndian(b[(p + 4)..]);
            if (p + 8 + size > end) throw Truncated("WebP");
            var data = b.Slice(p + 8, (int)size);
            if (fourcc.SequenceEqual("VP8X"u8))
            {
                if (size < 10) throw Truncated("WebP");
                w = 1 + (data[4] | data[5] << 8 | data[6] << 16);
                h = 1 + (data[7] | data[8] << 8 | data[9] << 16);
            }
            else if (fourcc.SequenceEqual("VP8 "u8))
            {
                if (size < 10 || data[3] != 0x9D || data[4] != 0x01 || data[5] != 0x2A) throw Truncated("WebP");
                if (w == 0) (w, h) = (BinaryPrimitives.ReadUInt16LittleEndian(data[6..]) & 0x3FFF, BinaryPrimitives.ReadUInt16LittleEndian(data[8..]) & 0x3FFF);
                hasImage = true;
            }
            else if (fourcc.SequenceEqual("VP8L"u8))
            {
                if (size < 5 || data[0] != 0x2F) throw Truncated("WebP");
                var bits = BinaryPrimitives.ReadUInt32LittleEndian(data[1..]);
                if (w == 0) (w, h) = (1 + (bits & 0x3FFF), 1 + ((bits >> 14) & 0x3FFF));
                hasImage = true;
            }
            else if (fourcc.SequenceEqual("ANMF"u8)) hasImage = true;
            p += 8 + (int)size + (int)(size & 1);
        }
        if (!hasImage) throw Truncated("WebP");
        CheckPixels(w, h, maxPixels);
        return ((int)w, (int)h);
    }
}
