using System.Security.Cryptography;
using Halo.Api.Data;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Halo.Api.Infrastructure;

/// <summary>A server-side secret the app reads: its name (<c>Secrets:&lt;Name&gt;</c>), minimum length and what it is for.</summary>
public sealed record ServerSecret(string Name, int MinBytes, string Purpose);

/// <summary>A secret that is missing or unusable; the message says which and how to set it.</summary>
public sealed class ServerSecretException(string message) : InvalidOperationException(message);

/// <summary>
/// Server-side secrets (JWT signing key, device-id HMAC key, …). A configured value (<c>Secrets:&lt;name&gt;</c>, base64)
/// always wins. Outside Production a missing secret is generated once into <c>{DataDirectory}/keys/</c> and reused, so
/// development needs no set-up and nothing secret is ever committed. In Production every secret in <see cref="Known"/>
/// is checked at start (<see cref="RequireAll"/>) and a missing one stops the app with one message naming them all.
/// Features declare the secrets they read at registration (<see cref="ServerSecretsRegistration.AddServerSecret"/>).
/// </summary>
public sealed class ServerSecrets(IConfiguration configuration, IHostEnvironment environment, IOptions<DatabaseOptions> database,
    IEnumerable<ServerSecret> declared)
{
    /// <summary>
    /// Every secret the app reads. <see cref="Get"/> refuses any other name, so a new secret cannot escape the start-up
    /// check (README's Production section lists the same names; a test starts the app with exactly those).
    /// </summary>
    public IReadOnlyList<ServerSecret> Known { get; } = [.. declared.DistinctBy(s => s.Name).OrderBy(s => s.Name, StringComparer.Ordinal)];

    /// <summary>Exit code of a start refused for missing secrets: EX_CONFIG, so a supervisor can tell it from a crash.</summary>
    public const int MissingSecretsExitCode = 78;

    private readonly Lock _gate = new();
    private readonly Dictionary<string, byte[]> _cache = new(StringComparer.Ordinal);

    /// <summary>The secret's bytes; at least <paramref name="minBytes"/> (and the declared minimum) long.</summary>
    public byte[] Get(string name, int minBytes = 32)
    {
        var declared = Known.FirstOrDefault(s => s.Name == name)
            ?? throw new InvalidOperationException($"Secret '{name}' is not declared in ServerSecrets.Known.");
        minBytes = Math.Max(minBytes, declared.MinBytes);
        lock (_gate)
        {
            if (_cache.TryGetValue(name, out var cached)) return cached;
            var value = Load(declared, minBytes);
            _cache[name] = value;
            return value;
        }
    }

    /// <summary>Fails when one secret is neither configured nor allowed to be generated (<see cref="RequireAll"/> checks them all).</summary>
    public void Require(string name, int minBytes = 32) => Get(name, minBytes);

    /// <summary>Loads every <see cref="Known"/> secret; one <see cref="ServerSecretException"/> lists all that fail.</summary>
    public void RequireAll()
    {
        var problems = new List<string>();
        foreach (var secret in Known)
        {
            try { Get(secret.Name, secret.MinBytes); }
            catch (ServerSecretException e) { problems.Add(e.Message); }
        }
        if (problems.Count == 0) return;
        throw new ServerSecretException(
            $"Halo cannot start: {problems.Count} of its {Known.Count} server secrets {(problems.Count == 1 ? "is" : "are")} missing or invalid " +
            $"(in {environment.EnvironmentName} every one must be configured; README \"Production\" lists them):" +
            string.Concat(problems.Select(p => "\n  - " + p)));
    }

    private byte[] Load(ServerSecret secret, int minBytes)
    {
        var name = secret.Name;
        var howTo = $"Set it to at least {minBytes * 8} random bits in base64, e.g. Secrets__{name}=$(openssl rand -base64 {Math.Max(32, minBytes)}).";
        var configured = configuration[$"Secrets:{name}"];
        if (!string.IsNullOrWhiteSpace(configured))
        {
            byte[] bytes;
            try { bytes = Convert.FromBase64String(configured.Trim()); }
            catch (FormatException) { throw new ServerSecretException($"Secrets:{name} must be base64. {howTo}"); }
            if (bytes.Length < minBytes)
                throw new ServerSecretException($"Secrets:{name} is too short: it must be at least {minBytes * 8} bits ({minBytes} bytes, base64). {howTo}");
            return bytes;
        }
        if (environment.IsProduction())
            throw new ServerSecretException($"Secrets:{name} is not configured ({secret.Purpose}). {howTo}");

        var dir = Path.Combine(database.Value.DataDirectory, "keys");
        Directory.CreateDirectory(dir);
        var path = Path.Combine(dir, name + ".key");
        if (File.Exists(path))
        {
            var existing = Convert.FromBase64String(File.ReadAllText(path).Trim());
            if (existing.Length >= minBytes) return existing;
        }
        var fresh = RandomNumberGenerator.GetBytes(Math.Max(32, minBytes));
        // Write-then-rename so a crash never leaves a half-written key that a restart would trust.
        var tmp = path + "." + Guid.NewGuid().ToString("N") + ".tmp";
        File.WriteAllText(tmp, Convert.ToBase64String(fresh));
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(tmp, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.Move(tmp, path, overwrite: true);
        return fresh;
    }
}

public static class ServerSecretsRegistration
{
    /// <summary>Declares a secret a feature reads, so it is checked at start in Production. Declaring it twice is harmless.</summary>
    public static IServiceCollection AddServerSecret(this IServiceCollection services, ServerSecret secret)
    {
        services.TryAddSingleton<ServerSecrets>();
        services.AddSingleton(secret);
        return services;
    }
}

public static class ServerSecretsStartup
{
    private static int _exitHookInstalled;

    /// <summary>
    /// Checks every server secret before the app serves or runs a command. A refused start reaches the runtime as an
    /// unhandled exception; the hook turns that into the message alone on stderr and exit code
    /// <see cref="ServerSecrets.MissingSecretsExitCode"/> instead of a stack trace and an abort. Under a test host the
    /// exception is caught by the host and never reaches the hook.
    /// </summary>
    public static WebApplication RequireServerSecrets(this WebApplication app)
    {
        if (Interlocked.Exchange(ref _exitHookInstalled, 1) == 0)
            AppDomain.CurrentDomain.UnhandledException += (_, e) =>
            {
                if (e.ExceptionObject is not ServerSecretException refused) return;
                Console.Error.WriteLine(refused.Message);
                Console.Error.Flush();
                Environment.Exit(ServerSecrets.MissingSecretsExitCode);
            };
        app.Services.GetRequiredService<ServerSecrets>().RequireAll();
        return app;
    }
}
