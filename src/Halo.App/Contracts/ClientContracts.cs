// Client views of server records that live in server-only files (AuthEndpoints.cs, MediaEndpoints.cs) and so cannot be
// source-shared yet. Same wire names (snake_case); only the fields the app reads.
namespace Halo.App.Contracts;

public sealed record RegisterRequest(string? Email, string? Password, string? DisplayName);
public sealed record LoginRequest(string? Email, string? Password);
public sealed record RefreshRequest(string? RefreshToken);
public sealed record UserDto(Guid Id, string Email, string? DisplayName, string Role, DateTime CreatedAt);
public sealed record TokenPair(string AccessToken, DateTime AccessTokenExpiresAt, string RefreshToken, DateTime RefreshTokenExpiresAt, string TokenType);
public sealed record AuthResponse(UserDto User, TokenPair Tokens);
public sealed record MediaUploadResponse(Guid MediaId, string Kind, string ContentType, long SizeBytes);

