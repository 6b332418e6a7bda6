using ImageMagick;
using SkiaSharp;

namespace Halo.Api.Features.Media;

public sealed record SanitizedPhoto(int Width, int Height);

/// <summary>
/// Re-encodes a photo from its decoded pixels, so nothing of the original container survives: EXIF (GPS, camera,
/// owner), XMP, ICC comments and any trailing bytes are dropped. The EXIF orientation is applied to the pixels first,
/// so the picture still shows upright without the tag.
/// </summary>
public static class PhotoSanitizer
{
    public static SanitizedPhoto Reencode(string inputPath, string outputPath, SniffedType type, long maxPixels, int jpegQuality)
    {
        using var codec = SKCodec.Create(inputPath)
            ?? throw new MediaRejectedException("The file is not a decodable image.", StatusCodes.Status415UnsupportedMediaType);
        var info = codec.Info;
        if (info.Width <= 0 || info.Height <= 0) throw new MediaRejectedException("The image has no pixels.", StatusCodes.Status415UnsupportedMediaType);
        if ((long)info.Width * info.Height > maxPixels)
            throw new MediaRejectedException($"The image is too large ({info.Width}×{info.Height}); at most {maxPixels} pixels.", StatusCodes.Status413PayloadTooLarge);

        var decodeInfo = new SKImageInfo(info.Width, info.Height, SKColorType.Rgba8888,
            info.AlphaType == SKAlphaType.Opaque ? SKAlphaType.Opaque : SKAlphaType.Premul);
        using var decoded = new SKBitmap(decodeInfo);
        var status = codec.GetPixels(decodeInfo, decoded.GetPixels());
        // Incomplete input is refused too: the missing rows would be stored as a blank band.
        if (status != SKCodecResult.Success)
            throw new MediaRejectedException($"The image could not be decoded ({status}).", StatusCodes.Status415UnsupportedMediaType);

        // An upright photo is encoded from the decoded bitmap itself, without a second full-size copy.
        using var rotated = codec.EncodedOrigin == SKEncodedOrigin.TopLeft ? null : Orient(decoded, codec.EncodedOrigin);
        var upright = rotated ?? decoded;
        using var image = SKImage.FromBitmap(upright);
        var (format, quality) = type.ContentType switch
        {
            "image/png" => (SKEncodedImageFormat.Png, 100),
            "image/webp" => (SKEncodedImageFormat.Webp, jpegQuality),
            _ => (SKEncodedImageFormat.Jpeg, jpegQuality),
        };
        using var data = image.Encode(format, quality)
            ?? throw new MediaRejectedException("The image could not be re-encoded.", StatusCodes.Status415UnsupportedMediaType);
        using (var output = File.Create(outputPath)) data.SaveTo(output);
        return new SanitizedPhoto(upright.Width, upright.Height);
    }

    /// <summary>
    /// Decodes a HEIC photo (libheif via Magick.NET, the HEIC coder only) and stores it as a JPEG without any metadata.
    /// HEIF carries orientation in the <c>irot</c>/<c>imir</c> item properties, which libheif applies while decoding; an
    /// EXIF orientation inside HEIF is informational only (MIAF) and is not applied again, or iPhone photos (which carry
    /// both) would turn twice. Size is checked from the header before any pixel is decoded.
    /// </summary>
    public static SanitizedPhoto ReencodeHeic(string inputPath, string outputPath, long maxPixels, int jpegQuality)
    {
        var settings = new MagickReadSettings { Format = MagickFormat.Heic };
        try
        {
            var info = new MagickImageInfo(inputPath, settings);
            if (info.Width == 0 || info.Height == 0) throw new MediaRejectedException("The image has no pixels.", StatusCodes.Status415UnsupportedMediaType);
            if ((long)info.Width * info.Height > maxPixels)
                throw new MediaRejectedException($"The image is too large ({info.Width}×{info.Height}); at most {maxPixels} pixels.", StatusCodes.Status413PayloadTooLarge);
            using var image = new MagickImage(inputPath, settings);
            image.Strip();
            image.Quality = (uint)Math.Clamp(jpegQuality, 1, 100);
            image.Write(outputPath, MagickFormat.Jpeg);
            return new SanitizedPhoto((int)image.Width, (int)image.Height);
        }
        catch (MagickException)
        {
            // Truncated, hostile or not really HEVC. The decoder's message names the temp path: not for the client.
            throw new MediaRejectedException("The HEIC image could not be decoded.", StatusCodes.Status415UnsupportedMediaType);
        }
    }

    /// <summary>Applies an EXIF orientation to the pixels (the 8 cases of the TIFF spec).</summary>
    public static SKBitmap Orient(SKBitmap src, SKEncodedOrigin origin)
    {
        int w = src.Width, h = src.Height;
        var swap = origin is SKEncodedOrigin.LeftTop or SKEncodedOrigin.RightTop or SKEncodedOrigin.RightBottom or SKEncodedOrigin.LeftBottom;
        var dst = new SKBitmap(new SKImageInfo(swap ? h : w, swap ? w : h, src.ColorType, src.AlphaType));
        using var canvas = new SKCanvas(dst);
        switch (origin)
        {
            case SKEncodedOrigin.TopRight: canvas.Translate(w, 0); canvas.Scale(-1, 1); break;
            case SKEncodedOrigin.BottomRight: canvas.Translate(w, h); canvas.RotateDegrees(180); break;
            case SKEncodedOrigin.BottomLeft: canvas.Translate(0, h); canvas.Scale(1, -1); break;
            case SKEncodedOrigin.LeftTop: canvas.RotateDegrees(90); canvas.Scale(1, -1); break;
            case SKEncodedOrigin.RightTop: canvas.Translate(h, 0); canvas.RotateDegrees(90); break;
            case SKEncodedOrigin.RightBottom: canvas.Translate(h, w); canvas.RotateDegrees(-90); canvas.Scale(1, -1); break;
            case SKEncodedOrigin.LeftBottom: canvas.Translate(0, w); canvas.RotateDegrees(-90); break;
        }
        using (var image = SKImage.FromBitmap(src)) canvas.DrawImage(image, 0, 0, SKSamplingOptions.Default);
        canvas.Flush();
        return dst;
    }
}
