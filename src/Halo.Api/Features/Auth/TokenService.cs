using System.Security.Claims;
using System.Security.Cryptography;
using Halo.Api.Data;
using Halo.Api.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Halo.Api.Features.Auth;

/// <summary>Issues short-lived JWT access tokens and rotating refresh tokens (stored only as hashes).</summary>
public sealed class TokenService(ServerSecrets secrets, TimeProvider clock, IOptions<AuthOptions> options)
{
    public SymmetricSecurityKey SigningKey() => new(secrets.Get(AuthOptions.SigningKeyName, 32));

    /// <summary>Claim naming the session: the refresh-token family the access token was issued with.</summary>
    public const string SessionClaim = "sid";

    /// <summary>
    /// An access token; with <paramref name="session"/> (the refresh-token family) it carries <see cref="SessionClaim"/>,
    /// so it dies with its session and a password change can tell the caller's own session from the others.
    /// </summary>
    public string CreateAccessToken(User user, out DateTime expiresAt, Guid? session = null)
    {
        var o = options.Value;
        var now = clock.GetUtcNow().UtcDateTime;
        expiresAt = now.AddMinutes(o.AccessTokenMinutes);
        List<Claim> claims =
        [
            new(JwtRegisteredClaimNames.Sub, user.Id.ToString()),
            new("role", user.Role),
            new(JwtRegisteredClaimNames.Jti, Guid.NewGuid().ToString("N")),
        ];
        if (session is { } sid) claims.Add(new Claim(SessionClaim, sid.ToString()));
        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = o.Issuer,
            Audience = o.Audience,
            IssuedAt = now,
            NotBefore = now,
            Expires = expiresAt,
            Subject = new ClaimsIdentity(claims),
            SigningCredentials = new SigningCredentials(SigningKey(), SecurityAlgorithms.HmacSha256),
        };
        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(descriptor);
    }

    /// <summary>A new refresh token in <paramref name="familyId"/> (a new family at login).</summary>
    public (string Token, RefreshToken Row) CreateRefreshToken(Guid userId, Guid familyId)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var token = Base64Url(RandomNumberGenerator.GetBytes(32));
        return (token, new RefreshToken
        {
            Id = Guid.NewGuid(),
            UserId = userId,
            FamilyId = familyId,
            TokenHash = Hash(token),
            CreatedAt = now,
            ExpiresAt = now.AddDays(options.Value.RefreshTokenDays),
        });
    }

    public async Task<TokenPair> IssueAsync(HaloDbContext db, User user, Guid? familyId, CancellationToken ct)
    {
        var family = familyId ?? Guid.NewGuid();
        var access = CreateAccessToken(user, out var accessExpires, family);
        var (refresh, row) = CreateRefreshToken(user.Id, family);
        db.Set<RefreshToken>().Add(row);
        await db.SaveChangesAsync(ct);
        return new TokenPair(access, accessExpires, refresh, row.ExpiresAt);
    }

    public static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(token)));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>Revokes every live token of a family (logout, or a replayed token).</summary>
    public async Task RevokeFamilyAsync(HaloDbContext db, Guid familyId, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        await db.Set<RefreshToken>().Where(t => t.FamilyId == familyId && t.RevokedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.RevokedAt, now), ct);
    }

    /// <summary>Revokes every live token of the user except those of <paramref name="keepFamily"/> (a password change).</summary>
    public async Task RevokeOtherSessionsAsync(HaloDbContext db, Guid userId, Guid? keepFamily, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var live = db.Set<RefreshToken>().Where(t => t.UserId == userId && t.RevokedAt == null);
        if (keepFamily is { } keep) live = live.Where(t => t.FamilyId != keep);
        await live.ExecuteUpdateAsync(s => s.SetProperty(t => t.RevokedAt, now), ct);
    }

    /// <summary>The session (refresh-token family) an access token names, if it names one.</summary>
    public static Guid? SessionOf(ClaimsPrincipal principal) =>
        Guid.TryParse(principal.FindFirstValue(SessionClaim), out var sid) ? sid : null;
}
