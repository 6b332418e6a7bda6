using System.Buffers.Binary;
using SkiaSharp;

namespace Halo.Api.Tests.Features.Media;

/// <summary>Builds test files: a JPEG carrying EXIF orientation and GPS tags (hand-written TIFF structure), and other magic-byte samples.</summary>
public static class TestFiles
{
    /// <summary>GPS coordinates written into the EXIF block, as rationals (59°19'45.5" N, 18°4'7.25" E).</summary>
    public static readonly uint[] GpsLatitude = [59, 1, 19, 1, 455, 10];
    public static readonly uint[] GpsLongitude = [18, 1, 4, 1, 725, 100];

    /// <summary>A <paramref name="width"/>×<paramref name="height"/> JPEG, red left half, with EXIF orientation and GPS.</summary>
    public static byte[] JpegWithGpsExif(int width, int height, ushort orientation)
    {
        using var bitmap = new SKBitmap(width, height);
        using (var canvas = new SKCanvas(bitmap))
        {
            canvas.Clear(SKColors.Blue);
            using var red = new SKPaint { Color = SKColors.Red };
            canvas.DrawRect(0, 0, width / 2f, height, red);
        }
        using var image = SKImage.FromBitmap(bitmap);
        var jpeg = image.Encode(SKEncodedImageFormat.Jpeg, 95).ToArray();
        var exif = Exif(orientation);
        // APP1 right after SOI (FF D8).
        var app1 = new byte[4 + exif.Length];
        app1[0] = 0xFF; app1[1] = 0xE1;
        BinaryPrimitives.WriteUInt16BigEndian(app1.AsSpan(2), (ushort)(exif.Length + 2));
        exif.CopyTo(app1, 4);
        return [.. jpeg[..2], .. app1, .. jpeg[2..]];
    }

    /// <summary>A <paramref name="width"/>×<paramref name="height"/> picture with some detail, encoded by Skia as
    /// <c>png</c>, <c>jpeg</c>, <c>webp-lossy</c> or <c>webp-lossless</c>.</summary>
    public static byte[] Photo(string format, int width, int height)
    {
        using var bitmap = new SKBitmap(width, height);
        using (var canvas = new SKCanvas(bitmap))
        {
            canvas.Clear(SKColors.Blue);
            using var paint = new SKPaint { Color = SKColors.Yellow };
            for (var x = 0; x < width; x += 5) canvas.DrawLine(x, 0, width - x, height, paint);
        }
        using var image = SKImage.FromBitmap(bitmap);
        var (f, q) = format switch
        {
            "png" => (SKEncodedImageFormat.Png, 100),
            "jpeg" => (SKEncodedImageFormat.Jpeg, 90),
            "webp-lossy" => (SKEncodedImageFormat.Webp, 80),
            "webp-lossless" => (SKEncodedImageFormat.Webp, 100),
            _ => throw new ArgumentException(format),
        };
        return image.Encode(f, q).ToArray();
    }

    private static byte[] Exif(ushort orientation)
    {
        // "Exif\0\0" + little-endian TIFF: IFD0 {Orientation, GPSInfo→GPS IFD}; GPS IFD {LatRef, Lat, LonRef, Lon}.
        var tiff = new List<byte>();
        void U16(int v) { tiff.Add((byte)v); tiff.Add((byte)(v >> 8)); }
        void U32(uint v) { for (var i = 0; i < 4; i++) tiff.Add((byte)(v >> (8 * i))); }
        void Entry(int tag, int type, uint count, uint value) { U16(tag); U16(type); U32(count); U32(value); }

        tiff.AddRange("II"u8.ToArray()); U16(42); U32(8);
        const uint ifd0 = 8, ifd0Size = 2 + 2 * 12 + 4, gps = ifd0 + ifd0Size, gpsSize = 2 + 4 * 12 + 4, data = gps + gpsSize;
        U16(2);
        Entry(0x0112, 3, 1, orientation);
        Entry(0x8825, 4, 1, gps);
        U32(0);
        U16(4);
        Entry(0x0001, 2, 2, 'N');
        Entry(0x0002, 5, 3, data);
        Entry(0x0003, 2, 2, 'E');
        Entry(0x0004, 5, 3, data + 24);
        U32(0);
        foreach (var v in GpsLatitude) U32(v);
        foreach (var v in GpsLongitude) U32(v);
        return [.. "Exif\0\0"u8.ToArray(), .. tiff];
    }

    /// <summary>Whether the JPEG still has an APP1 (EXIF/XMP) segment or the GPS rationals anywhere.</summary>
    public static bool HasExifOrGps(byte[] jpeg)
    {
        var lat = new byte[24];
        for (var i = 0; i < 6; i++) BinaryPrimitives.WriteUInt32LittleEndian(lat.AsSpan(i * 4), GpsLatitude[i]);
        if (jpeg.AsSpan().IndexOf(lat) >= 0 || jpeg.AsSpan().IndexOf("Exif\0\0"u8) >= 0) return true;
        // Walk the segments up to the image data.
        var p = 2;
        while (p + 4 <= jpeg.Length && jpeg[p] == 0xFF)
        {
            var marker = jpeg[p + 1];
            if (marker == 0xDA) break;
            if (marker == 0xE1) return true;
            p += 2 + BinaryPrimitives.ReadUInt16BigEndian(jpeg.AsSpan(p + 2));
        }
        return false;
    }

    /// <summary>
    /// A real 64×32 HEIC (HEVC), red left half and blue right half, made by libheif's <c>heif-enc</c> 1.15 (Debian
    /// bookworm, x265) from a JPEG carrying the EXIF block of <see cref="JpegWithGpsExif"/> with orientation 6: its Exif
    /// item holds that orientation and the GPS rationals. Layout: ftyp, meta (hdlr, pitm, idat, iloc, iinf, iprp, iref),
    /// mdat; the primary item is a 1×1 grid over one HEVC tile. Kept as bytes because no HEVC encoder ships with .NET.
    /// </summary>
    public static byte[] Heic() => Convert.FromBase64String(HeicBase64);

    private const string HeicBase64 =
        "AAAAHGZ0eXBoZWljAAAAAG1pZjFoZWljbWlhZgAAAeFtZXRhAAAAAAAAACFoZGxyAAAAAAAAAABwaWN0AAAAAAAAAAAAAAAAAAAAAA5waXRtAAAAAAACAAAAEGlkYXQAAAAAAEAAIAAAAExpbG9jAQAAAERAAAMAAQAAAAAAAAIFAAEAAAAAAAAAQwACAAEAAAAAAAAAAQAAAAAAAAAIAAMAAAAAAAACSAABAAAAAAAAAJAAAABNaWluZgAAAAAAAwAAABVpbmZlAgAAAQABAABodmMxAAAAABVpbmZlAgAAAAACAABncmlkAAAAABVpbmZlAgAAAQADAABFeGlmAAAAANVpcHJwAAAAs2lwY28AAABzaHZjQwEDcAAAAAAAAAAAAB7wAPz9+PgAAA8DIAABABhAAQwB//8DcAAAAwCQAAADAAADAB66AkAhAAEAJ0IBAQNwAAADAJAAAAMAAAMAHqAggQWW6uSmubAgAAADACAAAAMAISIAAQAGRAHBc8CJAAAAFGlzcGUAAAAAAAAAQAAAAEAAAAAUaXNwZQAAAAAAAABAAAAAIAAAABBwaXhpAAAAAAMICAgAAAAaaXBtYQAAAAAAAAACAAECgQIAAgIDhAAAAChpcmVmAAAAAAAAAA5kaW1nAAIAAQABAAAADmNkc2MAAwABAAIAAADbbWRhdAAAAD8oAa9Y5vTqv//nO7//Kj0h9iUX1//iq9V/UTtP/GElSS1BoThDqFNZFfQB/1/SELSBfukkzxwjh/Dd6uzBohQAAAAASUkqAAgAAAACABIBAwABAAAABgAAACWIBAABAAAAJgAAAAAAAAAEAAEAAgACAAAATgAAAAIABQADAAAAXAAAAAMAAgACAAAARQAAAAQABQADAAAAdAAAAAAAAAA7AAAAAQAAABMAAAABAAAAxwEAAAoAAAASAAAAAQAAAAQAAAABAAAA1QIAAGQAAAA=";

    /// <summary>The HEIC with its <c>pixi</c> property (associated with the primary item) overwritten in place by an
    /// <c>irot</c> of the same box size turning it 90° anticlockwise: a viewer shows it 32×64, blue top, red bottom.</summary>
    public static byte[] HeicRotated()
    {
        var b = Heic();
        var box = Box(b, "pixi");
        Array.Clear(b, box + 8, BinaryPrimitives.ReadInt32BigEndian(b.AsSpan(box)) - 8);
        "irot"u8.CopyTo(b.AsSpan(box + 4));
        b[box + 8] = 1;
        return b;
    }

    /// <summary>Hostile or broken variants of <see cref="Heic"/>, by name.</summary>
    public static byte[] HeicBroken(string how)
    {
        var b = Heic();
        switch (how)
        {
            case "truncated": return b[..400];
            case "meta-size-past-end": BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(Box(b, "meta")), 0x7FFFFFF0); break;
            case "box-smaller-than-header": BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(Box(b, "ipco")), 3); break;
            // iloc v1, 4-byte offsets/lengths/base offsets: the first item's base offset sits 22 bytes into the box.
            case "extent-outside-file": BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(Box(b, "iloc") + 22), 0x00FFFFFF); break;
            // The grid's dimg reference (from item 2) pointed at itself: a reference cycle.
            case "reference-loop": BinaryPrimitives.WriteUInt16BigEndian(b.AsSpan(Box(b, "dimg") + 12), 2); break;
            default: throw new ArgumentException(how);
        }
        return b;
    }

    /// <summary>Offset of the first box of that type (its size field).</summary>
    private static int Box(byte[] b, string type)
    {
        var at = b.AsSpan().IndexOf(System.Text.Encoding.ASCII.GetBytes(type));
        if (at < 4) throw new InvalidOperationException($"No {type} box in the fixture.");
        return at - 4;
    }

    public static byte[] Wav(int dataBytes)
    {
        var b = new byte[44 + dataBytes];
        "RIFF"u8.CopyTo(b);
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(4), (uint)(36 + dataBytes));
        "WAVEfmt "u8.CopyTo(b.AsSpan(8));
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(16), 16);
        BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(20), 1);
        BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(22), 1);
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(24), 8000);
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(28), 16000);
        BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(32), 2);
        BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(34), 16);
        "data"u8.CopyTo(b.AsSpan(36));
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(40), (uint)dataBytes);
        return b;
    }

    /// <summary>A 24-byte <c>ftyp</c> box and then zeros: MP4's magic bytes without an MP4.</summary>
    public static byte[] FtypThenZeros(int totalBytes)
    {
        var b = new byte[totalBytes];
        BinaryPrimitives.WriteUInt32BigEndian(b, 24);
        "ftypisom"u8.CopyTo(b.AsSpan(4));
        return b;
    }

    /// <summary>A real MP4 (<see cref="ContainerFixtures.Mp4WithGps"/>) padded to <paramref name="totalBytes"/> with a
    /// top-level <c>free</c> box.</summary>
    public static byte[] Mp4(int totalBytes)
    {
        var mp4 = ContainerFixtures.Mp4WithGps();
        var b = new byte[totalBytes];
        mp4.CopyTo(b, 0);
        BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(mp4.Length), (uint)(totalBytes - mp4.Length));
        "free"u8.CopyTo(b.AsSpan(mp4.Length + 4));
        return b;
    }

    public static byte[] WithMagic(ReadOnlySpan<byte> magic, int totalBytes)
    {
        var b = new byte[totalBytes];
        magic.CopyTo(b);
        return b;
    }
}
