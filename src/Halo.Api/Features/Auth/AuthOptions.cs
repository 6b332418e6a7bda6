using System.ComponentModel.DataAnnotations;

namespace Halo.Api.Features.Auth;

public sealed class AuthOptions
{
    public const string Section = "Auth";
    /// <summary>Name of the signing secret in <see cref="Infrastructure.ServerSecrets"/> (configure <c>Secrets:JwtSigningKey</c>).</summary>
    public const string SigningKeyName = "JwtSigningKey";

    [Required] public string Issuer { get; set; } = "halo";
    [Required] public string Audience { get; set; } = "halo";
    [Range(1, 1440)] public int AccessTokenMinutes { get; set; } = 15;
    [Range(1, 365)] public int RefreshTokenDays { get; set; } = 30;
    [Range(8, 128)] public int MinPasswordLength { get; set; } = 10;

    /// <summary>Failed logins allowed per account within <see cref="FailureWindowMinutes"/> before it is throttled.</summary>
    [Range(1, 1000)] public int MaxFailuresPerAccount { get; set; } = 5;
    /// <summary>Failed logins allowed per client IP within the window (many accounts from one place).</summary>
    [Range(1, 10_000)] public int MaxFailuresPerIp { get; set; } = 20;
    [Range(1, 1440)] public int FailureWindowMinutes { get; set; } = 15;
}
