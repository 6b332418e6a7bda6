namespace Halo.Api.Features.Media;

/// <summary>An upload refused for what its bytes are (not a decodable or verifiable file, too large once decoded).
/// The message goes to the client, so it never names server paths.</summary>
public sealed class MediaRejectedException(string message, int statusCode = StatusCodes.Status415UnsupportedMediaType) : Exception(message)
{
    public int StatusCode { get; } = statusCode;
}
