using System.Security.Cryptography;
using Halo.Api.Data;
using Microsoft.Extensions.Options;

namespace Halo.Api.Infrastructure;

/// <summary>
/// Server-side secrets (JWT signing key, device-id HMAC key, …). A configured value (<c>Secrets:&lt;name&gt;</c>, base64)
/// always wins. Outside Production a missing secret is generated once into <c>{DataDirectory}/keys/</c> and reused, so
/// development needs no set-up and nothing secret is ever committed. In Production a missing secret stops the app
/// at start with a clear message (see <see cref="Require"/>).
/// </summary>
public sealed class ServerSecrets(IConfiguration configuration, IHostEnvironment environment, IOptions<DatabaseOptions> database)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, byte[]> _cache = new(StringComparer.Ordinal);

    /// <summary>The secret's bytes; at least <paramref name="minBytes"/> long.</summary>
    public byte[] Get(string name, int minBytes = 32)
    {
        lock (_gate)
        {
            if (_cache.TryGetValue(name, out var cached)) return cached;
            var value = Load(name, minBytes);
            _cache[name] = value;
            return value;
        }
    }

    /// <summary>Fails fast (at start) when a secret is neither configured nor allowed to be generated.</summary>
    public void Require(string name, int minBytes = 32) => Get(name, minBytes);

    private byte[] Load(string name, int minBytes)
    {
        var configured = configuration[$"Secrets:{name}"];
        if (!string.IsNullOrWhiteSpace(configured))
        {
            byte[] bytes;
            try { bytes = Convert.FromBase64String(configured.Trim()); }
            catch (FormatException) { throw new InvalidOperationException($"Secrets:{name} must be base64."); }
            if (bytes.Length < minBytes)
                throw new InvalidOperationException($"Secrets:{name} is too short: it must be at least {minBytes * 8} bits ({minBytes} bytes, base64).");
            return bytes;
        }
        if (environment.IsProduction())
            throw new InvalidOperationException(
                $"Secrets:{name} is not configured. In Production it must be set (base64, at least {minBytes * 8} bits), " +
                $"e.g. environment variable Secrets__{name}=$(openssl rand -base64 {Math.Max(32, minBytes)}).");

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
