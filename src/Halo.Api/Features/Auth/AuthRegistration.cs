using System.Security.Claims;
using Halo.Api.Data;
using Halo.Api.Infrastructure;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace Halo.Api.Features.Auth;

public static class Policies
{
    public const string Authenticated = "authenticated";
    public const string Moderator = "moderator";
    public const string Admin = "admin";
}

public static class AuthRegistration
{
    public static WebApplicationBuilder AddAuth(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<AuthOptions>().Bind(builder.Configuration.GetSection(AuthOptions.Section))
            .ValidateDataAnnotations()
            .Validate(o => o.ForgetFailuresAfterHours * 60 > o.MaxDelayMinutes, "Auth:ForgetFailuresAfterHours must be longer than Auth:MaxDelayMinutes.")
            .ValidateOnStart();
        builder.Services.AddSingleton<TokenService>().AddServerSecret(new(AuthOptions.SigningKeyName, 32, "signs access tokens (HMAC-SHA256)"));
        builder.Services.AddSingleton<LoginThrottle>();
        builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer();
        builder.Services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
            .Configure<TokenService, TimeProvider, IOptions<AuthOptions>>((o, tokens, clock, auth) =>
            {
                o.MapInboundClaims = false;
                o.TokenValidationParameters = new TokenValidationParameters
                {
                    ValidIssuer = auth.Value.Issuer,
                    ValidAudience = auth.Value.Audience,
                    IssuerSigningKey = tokens.SigningKey(),
                    // Only our own algorithm: "none" and key-confusion tricks fail here.
                    ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
                    RequireSignedTokens = true,
                    RequireExpirationTime = true,
                    NameClaimType = "sub",
                    RoleClaimType = "role",
                    ClockSkew = TimeSpan.FromSeconds(30),
                    // Lifetime on the injected clock, so expiry is testable without waiting.
                    LifetimeValidator = (notBefore, expires, _, p) =>
                    {
                        var now = clock.GetUtcNow().UtcDateTime;
                        return (notBefore is null || notBefore.Value.ToUniversalTime() <= now + p.ClockSkew)
                            && expires is not null && expires.Value.ToUniversalTime() > now - p.ClockSkew;
                    },
                };
                o.Events = new JwtBearerEvents { OnTokenValidated = CheckUserAndSession };
            });
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(Policies.Authenticated, p => p.RequireAuthenticatedUser())
            .AddPolicy(Policies.Moderator, p => p.RequireRole(Roles.Moderator, Roles.Admin))
            .AddPolicy(Policies.Admin, p => p.RequireRole(Roles.Admin))
            // Secure by default: an endpoint that declares nothing needs a signed-in user.
            .SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build());
        return builder;
    }

    /// <summary>
    /// A token of a deleted user, or of a session that was ended (logout, a replayed refresh token, a password change
    /// from another session), is rejected; the role comes from the store, so a demotion applies at once. One query.
    /// Tokens without a session claim are checked for the user only.
    /// </summary>
    private static async Task CheckUserAndSession(TokenValidatedContext ctx)
    {
        var sub = ctx.Principal?.FindFirstValue("sub");
        if (!Guid.TryParse(sub, out var id)) { ctx.Fail("No subject."); return; }
        var db = ctx.HttpContext.RequestServices.GetRequiredService<HaloDbContext>();
        var users = db.Set<User>().AsNoTracking().Where(u => u.Id == id);
        string? role;
        if (TokenService.SessionOf(ctx.Principal!) is { } sid)
        {
            var row = await users.Select(u => new
            {
                u.Role,
                Ended = db.Set<RefreshToken>().Any(t => t.FamilyId == sid && t.RevokedAt != null),
            }).FirstOrDefaultAsync(ctx.HttpContext.RequestAborted);
            if (row is { Ended: true }) { ctx.Fail("The session has ended."); return; }
            role = row?.Role;
        }
        else
        {
            role = await users.Select(u => u.Role).FirstOrDefaultAsync(ctx.HttpContext.RequestAborted);
        }
        if (role is null) { ctx.Fail("The user no longer exists."); return; }
        var identity = new ClaimsIdentity(ctx.Principal!.Claims.Where(c => c.Type != "role"), ctx.Scheme.Name, "sub", "role");
        identity.AddClaim(new Claim("role", role));
        ctx.Principal = new ClaimsPrincipal(identity);
    }

    /// <summary>
    /// Authentication that never degrades: a request that carries credentials which fail to validate gets 401 even on
    /// endpoints that allow anonymous callers.
    /// </summary>
    public static WebApplication UseStrictAuthentication(this WebApplication app)
    {
        app.UseAuthentication();
        app.Use(async (ctx, next) =>
        {
            if (ctx.Request.Headers.Authorization.Count > 0)
            {
                var result = await ctx.AuthenticateAsync(JwtBearerDefaults.AuthenticationScheme);
                if (!result.Succeeded)
                {
                    ctx.Response.StatusCode = StatusCodes.Status401Unauthorized;
                    ctx.Response.Headers.WWWAuthenticate = "Bearer error=\"invalid_token\"";
                    await Results.Problem(title: "Unauthorized", detail: "The access token is invalid or expired.",
                        statusCode: StatusCodes.Status401Unauthorized).ExecuteAsync(ctx);
                    return;
                }
            }
            await next();
        });
        app.UseAuthorization();
        return app;
    }

    public static Guid? UserId(this ClaimsPrincipal user) =>
        Guid.TryParse(user.FindFirstValue("sub"), out var id) ? id : null;

    public static bool IsAdmin(this ClaimsPrincipal user) => user.IsInRole(Roles.Admin);
}
