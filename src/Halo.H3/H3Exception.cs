namespace Halo.H3;

/// <summary>Error codes mirroring upstream <c>H3ErrorCodes</c>.</summary>
public enum H3Error
{
    /// <summary>Success.</summary>
    Success = 0,
    /// <summary>The operation failed but a more specific error is not available.</summary>
    Failed = 1,
    /// <summary>Argument was outside of acceptable range.</summary>
    Domain = 2,
    /// <summary>Latitude or longitude arguments were outside of acceptable range.</summary>
    LatLngDomain = 3,
    /// <summary>Resolution argument was outside of acceptable range.</summary>
    ResolutionDomain = 4,
    /// <summary>Cell argument was not valid.</summary>
    CellInvalid = 5,
    /// <summary>Pentagon distortion was encountered.</summary>
    Pentagon = 9,
    /// <summary>Duplicate input.</summary>
    DuplicateInput = 10,
    /// <summary>Cell arguments had incompatible resolutions.</summary>
    ResolutionMismatch = 12,
    /// <summary>Bounds of provided memory were insufficient.</summary>
    MemoryBounds = 14,
}

/// <summary>Thrown when an H3 operation fails the way the upstream library reports an error code.</summary>
/// <param name="error">The upstream error code.</param>
/// <param name="message">A description.</param>
public sealed class H3Exception(H3Error error, string message) : Exception(message)
{
    /// <summary>The upstream error code.</summary>
    public H3Error Error { get; } = error;
}
