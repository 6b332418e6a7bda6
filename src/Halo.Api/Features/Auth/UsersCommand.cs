using System.Security.Cryptography;
using Halo.Api.Data;
using Halo.Api.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Halo.Api.Features.Auth;

/// <summary>
/// <c>users create-admin --email E [--password-stdin]</c>: makes (or promotes) an admin. There is never a default
/// password: it is read from standard input, or a strong random one is generated and printed once.
/// </summary>
public sealed class UsersCommand(HaloDbContext db, TimeProvider clock, IOptions<AuthOptions> options, IServiceProvider services) : ICliCommand
{
    public string Name => "users";
    public string Usage => "users create-admin --email EMAIL [--password-stdin]";

    public async Task<int> RunAsync(string[] args, CancellationToken ct)
    {
        var a = new CliArgs(args);
        if (a.Positional.FirstOrDefault() != "create-admin") throw new CliUsageException("Unknown users sub-command.");
        var email = a.Require("email").Trim().ToLowerInvariant();
        if (!System.Net.Mail.MailAddress.TryCreate(email, out _)) throw new CliUsageException("--email is not a valid address.");
        await DataRegistration.MigrateAsync(services, force: false, ct);

        var generated = !a.Has("password-stdin");
        var password = generated
            ? Convert.ToBase64String(RandomNumberGenerator.GetBytes(18)).Replace('+', '-').Replace('/', '_')
            : (await Console.In.ReadLineAsync(ct))?.TrimEnd('\r', '\n') ?? "";
        if (PasswordRules.Check(password, email, options.Value.MinPasswordLength) is { } weak)
        {
            await Console.Error.WriteLineAsync($"Password rejected: {weak}");
            return 1;
        }
        var now = clock.GetUtcNow().UtcDateTime;
        var user = await db.Set<User>().FirstOrDefaultAsync(u => u.Email == email, ct);
        if (user is null)
        {
            user = new User { Id = Guid.NewGuid(), Email = email, PasswordHash = "", CreatedAt = now, UpdatedAt = now };
            db.Set<User>().Add(user);
        }
        user.Role = Roles.Admin;
        user.PasswordHash = new PasswordHasher<User>().HashPassword(user, password);
        user.UpdatedAt = now;
        Audit.AuditLog.Record(db, now, "cli", "user.admin_created", "user", user.Id.ToString());
        await db.SaveChangesAsync(ct);
        Console.WriteLine($"Admin {email} is ready (id {user.Id}).");
        if (generated) Console.WriteLine($"Generated password (shown once, store it safely): {password}");
        return 0;
    }
}
