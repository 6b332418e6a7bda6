using System.CommandLine;
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
public sealed class UsersCommand(HaloDbContext db, TimeProvider clock, IOptions<AuthOptions> options, IServiceProvider services)
{
    public static Command Create(CliContext cli)
    {
        var email = new Option<string>("--email") { Description = "The admin's e-mail address", Required = true, HelpName = "EMAIL" };
        email.Validators.Add(r =>
        {
            if (!System.Net.Mail.MailAddress.TryCreate(r.GetValueOrDefault<string>()?.Trim(), out _)) r.AddError("--email is not a valid address.");
        });
        // A flag that takes no value: the argument after it is never read as one.
        var passwordStdin = new Option<bool>("--password-stdin") { Description = "Read the password from the first line of standard input (else one is generated and shown once)", Arity = ArgumentArity.Zero };
        var createAdmin = new Command("create-admin", "Make an account an admin (created if it does not exist).") { email, passwordStdin };
        createAdmin.SetAction((p, ct) => cli.RunAsync<UsersCommand>("users create-admin",
            c => c.CreateAdminAsync(p.GetRequiredValue(email), p.GetValue(passwordStdin), cli, ct)));
        return new Command("users", "Account administration.") { createAdmin };
    }

    public async Task<int> CreateAdminAsync(string email, bool passwordFromStdin, CliContext cli, CancellationToken ct)
    {
        email = email.Trim().ToLowerInvariant();
        await DataRegistration.MigrateAsync(services, force: false, ct);

        var password = passwordFromStdin
            ? (await cli.In.ReadLineAsync(ct))?.TrimEnd('\r', '\n') ?? ""
            : Convert.ToBase64String(RandomNumberGenerator.GetBytes(18)).Replace('+', '-').Replace('/', '_');
        if (PasswordRules.Check(password, email, options.Value.MinPasswordLength) is { } weak)
        {
            await cli.Error.WriteLineAsync($"Password rejected: {weak}");
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
        // Say where: an admin made in another store than the one the server uses is a silent failure.
        await cli.Out.WriteLineAsync($"Admin {email} is ready (id {user.Id}) in {Cli.Describe(db)}.");
        if (!passwordFromStdin) await cli.Out.WriteLineAsync($"Generated password (shown once, store it safely): {password}");
        return 0;
    }
}
