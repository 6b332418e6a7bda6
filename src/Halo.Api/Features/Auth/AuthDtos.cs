// Wire DTOs only: no references to entities or server services, so the client can share this file's source.
namespace Halo.Api.Features.Auth;

public sealed record RegisterRequest(string? Email, string? Password, string? DisplayName);
public sealed record LoginRequest(string? Email, string? Password);
public sealed record RefreshRequest(string? RefreshToken);
public sealed record UpdateMeRequest(string? DisplayName, string? Password, string? CurrentPassword);
public sealed record ChangeRoleRequest(string? Role, string? Reason);
public sealed record UserDto(Guid Id, string Email, string? DisplayName, string Role, DateTime CreatedAt);
public sealed record TokenPair(string AccessToken, DateTime AccessTokenExpiresAt, string RefreshToken, DateTime RefreshTokenExpiresAt, string TokenType = "Bearer");
public sealed record AuthResponse(UserDto User, TokenPair Tokens);
