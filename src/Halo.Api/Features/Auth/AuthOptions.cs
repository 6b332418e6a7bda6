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

    // Failed logins slow down their source (account × client network), never the account for everyone: see LoginThrottle.

    /// <summary>Failures in a row from one network on one account before that source has to wait.</summary>
    [Range(1, 1000)] public int FailuresBeforeDelay { get; set; } = 5;
    /// <summary>The wait after the <see cref="FailuresBeforeDelay"/>-th failure; each further failure doubles it.</summary>
    [Range(1, 3600)] public int FirstDelaySeconds { get; set; } = 2;
    /// <summary>The longest wait between two attempts of one source.</summary>
    [Range(1, 1440)] public int MaxDelayMinutes { get; set; } = 15;
    /// <summary>A source with no failure for this long starts clean again.</summary>
    [Range(1, 720)] public int ForgetFailuresAfterHours { get; set; } = 24;
    /// <summary>Failed logins allowed from one client network across all accounts within <see cref="NetworkWindowMinutes"/> (credential stuffing).</summary>
    [Range(1, 1_000_000)] public int MaxFailuresPerNetwork { get; set; } = 100;
    [Range(1, 1440)] public int NetworkWindowMinutes { get; set; } = 15;
}
