namespace Halo.Api.Features.Media.Containers;

/// <summary>
/// Audio and video are verified to be the container their first bytes claim and stripped of metadata before they are
/// stored (docs/adr/0005-media-containers.md): ISO BMFF and WebM in place, WAV rewritten, Ogg comment headers emptied.
/// Anything that does not walk cleanly is refused with 415.
/// </summary>
public static class ContainerSanitizer
{
    /// <summary>Checks and strips the file at <paramref name="path"/>; returns the type to store it as.</summary>
    public static SniffedType Sanitize(string path, SniffedType type)
    {
        try
        {
            return SanitizeStrict(path, type);
        }
        catch (Exception ex) when (ex is ArgumentException or IndexOutOfRangeException or OverflowException)
        {
            // A walker missed a bound on hostile input: still the file's fault, and never a 500. The fuzz tests call
            // SanitizeStrict so that such misses show up there.
            throw new MediaRejectedException($"The {Name(type)} file could not be verified.");
        }
    }

    internal static SniffedType SanitizeStrict(string path, SniffedType type)
    {
        try
        {
            if (type == MediaSniffer.Wav)
            {
                Wave.Sanitize(path);
                return type;
            }
            using var f = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.None);
            if (type == MediaSniffer.WebmAudio || type == MediaSniffer.WebmVideo) return Matroska.Sanitize(f);
            if (type == MediaSniffer.Ogg) { Ogg.Sanitize(f); return type; }
            if (type == MediaSniffer.Mp4 || type == MediaSniffer.Mov || type == MediaSniffer.M4a) { IsoBmff.Sanitize(f); return type; }
            throw new MediaRejectedException("This file type is not accepted.");
        }
        catch (EndOfStreamException)
        {
            throw new MediaRejectedException($"The {Name(type)} file is truncated.");
        }
    }

    private static string Name(SniffedType type) => type.Extension.TrimStart('.').ToUpperInvariant();
}
