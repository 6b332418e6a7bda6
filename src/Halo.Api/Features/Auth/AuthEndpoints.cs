using System.Data;
using System.Net.Mail;
using System.Security.Claims;
using Halo.Api.Data;
using Halo.Api.Features.Audit;
using Halo.Api.Infrastructure;
using Halo.Api.Infrastructure.RateLimiting;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Halo.Api.Features.Auth;

public static class AuthEndpoints
{
    private static readonly PasswordHasher<User> Hasher = new();

    public static UserDto ToDto(this User u) => new(u.Id, u.Email, u.DisplayName, u.Role, u.CreatedAt);

    public static IEndpointRouteBuilder MapAuth(this IEndpointRouteBuilder app)
    {
        var auth = app.MapGroup("/api/v1/auth").WithTags("Auth").AllowAnonymous().RequireRateLimiting(RateLimitPolicies.Auth);
        auth.MapPost("/register", Register).WithSummary("Creates a citizen account and signs it in.");
        auth.MapPost("/login", Login).WithSummary("Signs in: a 15-minute access token and a rotating refresh token. Failed attempts slow down their network for that account (429 with Retry-After).");
        auth.MapPost("/refresh", Refresh).WithSummary("Rotates a refresh token. Reusing a rotated token revokes its whole family.");
        auth.MapPost("/logout", Logout).WithSummary("Revokes the refresh token's family.");

        var me = app.MapGroup("/api/v1/me").WithTags("Auth").RequireAuthorization(Policies.Authenticated).RequireRateLimiting(RateLimitPolicies.Reads);
        me.MapGet("/", GetMe).WithSummary("The signed-in account.");
        me.MapPatch("/", UpdateMe).WithSummary("Changes display name or password; a new password ends every other session of the account.");
        me.MapDelete("/", DeleteMe).WithSummary("Deletes the account; its reports stay, anonymous. The last admin cannot (409).");

        var admin = app.MapGroup("/api/v1/admin/users").WithTags("Admin").RequireAuthorization(Policies.Admin).RequireRateLimiting(RateLimitPolicies.Admin);
        admin.MapGet("/", ListUsers).WithSummary("Accounts, newest first (admin).");
        admin.MapPut("/{id:guid}/role", ChangeRole).WithSummary("Sets an account's role (admin). The last admin cannot be demoted (409).");
        return app;
    }

    private static string? NormalizeEmail(Validation v, string? raw)
    {
        var email = v.Text("email", raw, 254, required: true)?.ToLowerInvariant();
        if (email is null) return null;
        if (!MailAddress.TryCreate(email, out var parsed) || parsed.Address != email || !email.Contains('.', StringComparison.Ordinal))
        {
            v.Add("email", "Is not a valid email address.");
            return null;
        }
        return email;
    }

    private static async Task<Results<Created<AuthResponse>, ValidationProblem, ProblemHttpResult>> Register(
        RegisterRequest body, HaloDbContext db, TokenService tokens, TimeProvider clock, IOptions<AuthOptions> options, CancellationToken ct)
    {
        var v = new Validation();
        var email = NormalizeEmail(v, body.Email);
        var displayName = v.Text("display_name", body.DisplayName, 100);
        var weak = PasswordRules.Check(body.Password, email, options.Value.MinPasswordLength);
        if (weak is not null) v.Add("password", weak);
        if (!v.IsValid) return TypedResults.ValidationProblem(v.Errors);
        if (await db.Set<User>().AnyAsync(u => u.Email == email, ct))
            return TypedResults.Problem("An account with this email exists.", statusCode: StatusCodes.Status409Conflict, title: "Email taken");

        var now = clock.GetUtcNow().UtcDateTime;
        var user = new User { Id = Guid.NewGuid(), Email = email!, PasswordHash = "", DisplayName = displayName, CreatedAt = now, UpdatedAt = now };
        user.PasswordHash = Hasher.HashPassword(user, body.Password!);
        // ON CONFLICT DO NOTHING, not an insert that fails: when two registrations of one address race past the check
        // above, the loser is told "taken" without a failed insert, which EF logs as an error with its stack trace. Any
        // other failure (a busy or full store, a clashing id) still throws, to the exception handler (503).
        var d = db.Dialect;
        object?[] values = [d.ToStored(user.Id), user.Email, user.PasswordHash, user.DisplayName, user.Role, d.ToStored(now), d.ToStored(now)];
        var inserted = await db.Database.ExecuteSqlRawAsync(
            """INSERT INTO users ("Id", "Email", "PasswordHash", "DisplayName", "Role", "CreatedAt", "UpdatedAt") VALUES ({0}, {1}, {2}, {3}, {4}, {5}, {6}) ON CONFLICT ("Email") DO NOTHING""",
            values!, ct);
        if (inserted == 0)
            return TypedResults.Problem("An account with this email exists.", statusCode: StatusCodes.Status409Conflict, title: "Email taken");
        var pair = await tokens.IssueAsync(db, user, null, ct);
        return TypedResults.Created("/api/v1/me", new AuthResponse(user.ToDto(), pair));
    }

    private static async Task<Results<Ok<AuthResponse>, ValidationProblem, UnauthorizedHttpResult, ProblemHttpResult>> Login(
        LoginRequest body, HaloDbContext db, TokenService tokens, LoginThrottle throttle, HttpContext http, CancellationToken ct)
    {
        var v = new Validation();
        var email = v.Text("email", body.Email, 254, required: true)?.ToLowerInvariant();
        if (string.IsNullOrEmpty(body.Password)) v.Add("password", "Is required.");
        else if (body.Password.Length > 256) v.Add("password", "Must be at most 256 characters.");
        if (!v.IsValid) return TypedResults.ValidationProblem(v.Errors);

        var network = ClientNetwork.Of(http);
        // Checked before the database too, so a source that must wait costs no query.
        if (throttle.RetryAfter(email!, network) is { } early) return TooManyAttempts(http, early);
        var user = await db.Set<User>().FirstOrDefaultAsync(u => u.Email == email, ct);
        if (!throttle.TryAdmit(email!, network, out var wait)) return TooManyAttempts(http, wait);
        var ok = user is not null && Hasher.VerifyHashedPassword(user, user.PasswordHash, body.Password!) != PasswordVerificationResult.Failed;
        if (!ok) return TypedResults.Unauthorized();
        throttle.Succeeded(email!, network);
        return TypedResults.Ok(new AuthResponse(user!.ToDto(), await tokens.IssueAsync(db, user!, null, ct)));
    }

    private static ProblemHttpResult TooManyAttempts(HttpContext http, TimeSpan wait)
    {
        http.Response.Headers.RetryAfter = Math.Max(1, Math.Ceiling(wait.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        return TypedResults.Problem("Too many failed sign-ins from your network. Try again after the time in Retry-After.",
            statusCode: StatusCodes.Status429TooManyRequests, title: "Too many attempts");
    }

    private static async Task<Results<Ok<TokenPair>, ValidationProblem, UnauthorizedHttpResult>> Refresh(
        RefreshRequest body, HaloDbContext db, TokenService tokens, TimeProvider clock, CancellationToken ct)
    {
        var v = new Validation();
        var raw = v.Text("refresh_token", body.RefreshToken, 200, required: true);
        if (!v.IsValid) return TypedResults.ValidationProblem(v.Errors);
        var now = clock.GetUtcNow().UtcDateTime;
        var hash = TokenService.Hash(raw!);
        var found = await db.Set<RefreshToken>().Where(t => t.TokenHash == hash)
            .Select(t => new { Row = t, Ended = db.Set<RefreshToken>().Any(f => f.FamilyId == t.FamilyId && f.RevokedAt != null) })
            .FirstOrDefaultAsync(ct);
        // A session ends as a whole: a token issued while its family was being revoked (a refresh racing a password
        // change or a logout) is dead too, because the revocation marked at least one older token of the family.
        if (found is null || found.Ended) return TypedResults.Unauthorized();
        var row = found.Row;
        if (row.ExpiresAt <= now) return TypedResults.Unauthorized();
        if (row.RotatedAt is not null)
        {
            // A rotated token came back: someone holds a copy. Kill the family, including the legitimate newest token.
            await tokens.RevokeFamilyAsync(db, row.FamilyId, ct);
            return TypedResults.Unauthorized();
        }
        // Claim the row atomically so two concurrent refreshes with one token cannot both succeed.
        var claimed = await db.Set<RefreshToken>().Where(t => t.Id == row.Id && t.RotatedAt == null && t.RevokedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.RotatedAt, now), ct);
        if (claimed == 0)
        {
            await tokens.RevokeFamilyAsync(db, row.FamilyId, ct);
            return TypedResults.Unauthorized();
        }
        var user = await db.Set<User>().FirstOrDefaultAsync(u => u.Id == row.UserId, ct);
        if (user is null) return TypedResults.Unauthorized();
        return TypedResults.Ok(await tokens.IssueAsync(db, user, row.FamilyId, ct));
    }

    private static async Task<Results<NoContent, ValidationProblem>> Logout(RefreshRequest body, HaloDbContext db, TokenService tokens, CancellationToken ct)
    {
        var v = new Validation();
        var raw = v.Text("refresh_token", body.RefreshToken, 200, required: true);
        if (!v.IsValid) return TypedResults.ValidationProblem(v.Errors);
        var hash = TokenService.Hash(raw!);
        var family = await db.Set<RefreshToken>().Where(t => t.TokenHash == hash).Select(t => (Guid?)t.FamilyId).FirstOrDefaultAsync(ct);
        if (family is not null) await tokens.RevokeFamilyAsync(db, family.Value, ct);
        // Same answer for unknown tokens: logout reveals nothing.
        return TypedResults.NoContent();
    }

    private static async Task<Results<Ok<UserDto>, NotFound>> GetMe(ClaimsPrincipal principal, HaloDbContext db, CancellationToken ct)
    {
        var id = principal.UserId();
        var user = await db.Set<User>().AsNoTracking().FirstOrDefaultAsync(u => u.Id == id, ct);
        return user is null ? TypedResults.NotFound() : TypedResults.Ok(user.ToDto());
    }

    private static async Task<Results<Ok<UserDto>, ValidationProblem, NotFound>> UpdateMe(
        UpdateMeRequest body, ClaimsPrincipal principal, HaloDbContext db, TokenService tokens, TimeProvider clock,
        IOptions<AuthOptions> options, CancellationToken ct)
    {
        var id = principal.UserId();
        var user = await db.Set<User>().FirstOrDefaultAsync(u => u.Id == id, ct);
        if (user is null) return TypedResults.NotFound();
        var v = new Validation();
        var displayName = v.Text("display_name", body.DisplayName, 100);
        if (body.Password is not null)
        {
            if (string.IsNullOrEmpty(body.CurrentPassword) || body.CurrentPassword.Length > 256
                || Hasher.VerifyHashedPassword(user, user.PasswordHash, body.CurrentPassword) == PasswordVerificationResult.Failed)
                v.Add("current_password", "Is required and must match to change the password.");
            if (PasswordRules.Check(body.Password, user.Email, options.Value.MinPasswordLength) is { } weak) v.Add("password", weak);
        }
        if (!v.IsValid) return TypedResults.ValidationProblem(v.Errors);
        var now = clock.GetUtcNow().UtcDateTime;
        if (displayName is not null) user.DisplayName = displayName;
        user.UpdatedAt = now;
        if (body.Password is null)
        {
            await db.SaveChangesAsync(ct);
            return TypedResults.Ok(user.ToDto());
        }

        user.PasswordHash = Hasher.HashPassword(user, body.Password);
        AuditLog.Record(db, now, user.Id.ToString(), "account.password_changed", "user", user.Id.ToString());
        // Whoever else holds a session (the reason to change a password, often) is signed out with it; the caller's own
        // session stays. A token without a session claim cannot say which is its own, so every session ends.
        await InTransactionAsync(db, IsolationLevel.ReadCommitted, async token =>
        {
            // Changes are accepted only after the commit, so a retry from the start saves them again.
            await db.SaveChangesAsync(acceptAllChangesOnSuccess: false, token);
            await tokens.RevokeOtherSessionsAsync(db, user.Id, TokenService.SessionOf(principal), token);
            return true;
        }, ct);
        db.ChangeTracker.AcceptAllChanges();
        return TypedResults.Ok(user.ToDto());
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteMe(ClaimsPrincipal principal, HaloDbContext db, TimeProvider clock, CancellationToken ct)
    {
        var id = principal.UserId()!.Value;
        var now = clock.GetUtcNow().UtcDateTime;
        return await InTransactionAsync<Results<NoContent, ProblemHttpResult>>(db, IsolationLevel.ReadCommitted, async token =>
        {
            db.ChangeTracker.Clear();
            await LockAdminsAsync(db, token);
            if (await IsLastAdminAsync(db, id, token))
                return LastAdmin("The last admin cannot delete their account. Make another account admin first.");
            // What the user posted stays, without the link to them.
            await db.Incidents.Where(i => i.CreatedByUserId == id).ExecuteUpdateAsync(s => s.SetProperty(i => i.CreatedByUserId, (Guid?)null), token);
            var userKey = id.ToString();
            await db.Set<Reports.CitizenReport>().Where(r => r.UserId == userKey).ExecuteUpdateAsync(s => s.SetProperty(r => r.UserId, (string?)null), token);
            await db.Set<RefreshToken>().Where(t => t.UserId == id).ExecuteDeleteAsync(token);
            await db.Set<User>().Where(u => u.Id == id).ExecuteDeleteAsync(token);
            AuditLog.Record(db, now, id.ToString(), "account.deleted", "user", id.ToString());
            await db.SaveChangesAsync(token);
            return TypedResults.NoContent();
        }, ct);
    }

    private static async Task<Ok<List<UserDto>>> ListUsers(HaloDbContext db, CancellationToken ct) =>
        TypedResults.Ok((await db.Set<User>().AsNoTracking().OrderByDescending(u => u.CreatedAt).Take(500).ToListAsync(ct))
            .Select(u => u.ToDto()).ToList());

    private static async Task<Results<Ok<UserDto>, ValidationProblem, NotFound, ProblemHttpResult>> ChangeRole(
        Guid id, ChangeRoleRequest body, ClaimsPrincipal principal, HaloDbContext db, TimeProvider clock, CancellationToken ct)
    {
        var v = new Validation();
        var role = v.Text("role", body.Role, 16, required: true);
        if (role is not null && !Roles.All.Contains(role)) v.Add("role", $"Must be one of: {string.Join(", ", Roles.All)}.");
        var reason = v.Text("reason", body.Reason, 1000);
        if (!v.IsValid) return TypedResults.ValidationProblem(v.Errors);
        var now = clock.GetUtcNow().UtcDateTime;
        return await InTransactionAsync<Results<Ok<UserDto>, ValidationProblem, NotFound, ProblemHttpResult>>(db, IsolationLevel.ReadCommitted, async token =>
        {
            db.ChangeTracker.Clear();
            await LockAdminsAsync(db, token);
            var user = await db.Set<User>().FirstOrDefaultAsync(u => u.Id == id, token);
            if (user is null) return TypedResults.NotFound();
            if (user.Role == Roles.Admin && role != Roles.Admin && await IsLastAdminAsync(db, id, token))
                return LastAdmin("The last admin cannot be demoted. Make another account admin first.");
            AuditLog.Record(db, now, principal.UserId().ToString()!, "user.role_changed", "user", id.ToString(), reason,
                before: user.Role, after: role);
            user.Role = role!;
            user.UpdatedAt = now;
            await db.SaveChangesAsync(token);
            return TypedResults.Ok(user.ToDto());
        }, ct);
    }

    /// <summary>
    /// Holds every admin row until the transaction ends: of two admins demoting (or deleting) each other at once, the
    /// second waits for the first to commit and then sees one admin fewer.
    /// </summary>
    private static Task LockAdminsAsync(HaloDbContext db, CancellationToken ct) =>
        db.Dialect.LockRowsAsync(db, """SELECT "Id" FROM users WHERE "Role" = {0}""", [Roles.Admin], ct);

    /// <summary>Whether <paramref name="id"/> is an admin and no other account is.</summary>
    private static async Task<bool> IsLastAdminAsync(HaloDbContext db, Guid id, CancellationToken ct) =>
        await db.Set<User>().AnyAsync(u => u.Id == id && u.Role == Roles.Admin, ct)
        && !await db.Set<User>().AnyAsync(u => u.Id != id && u.Role == Roles.Admin, ct);

    private static ProblemHttpResult LastAdmin(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status409Conflict, title: "Last admin");

    /// <summary>
    /// Runs <paramref name="work"/> in one transaction inside the provider's execution strategy (PostgreSQL retries
    /// transient failures, and EF only allows user transactions inside it); <paramref name="work"/> must be safe to run
    /// again from the start. A guard's check and its write are one step by <see cref="LockAdminsAsync"/>.
    /// </summary>
    private static Task<T> InTransactionAsync<T>(HaloDbContext db, IsolationLevel isolation, Func<CancellationToken, Task<T>> work, CancellationToken ct) =>
        db.Database.CreateExecutionStrategy().ExecuteAsync(async token =>
        {
            await using var tx = await db.Database.BeginTransactionAsync(isolation, token);
            var result = await work(token);
            await tx.CommitAsync(token);
            return result;
        }, ct);
}
