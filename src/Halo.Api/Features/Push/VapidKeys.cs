using System.Security.Cryptography;
using Halo.Api.Infrastructure;
using Microsoft.AspNetCore.WebUtilities;

namespace Halo.Api.Features.Push;

/// <summary>
/// The server's VAPID key pair (RFC 8292, P-256). The private scalar is the server secret <c>VapidPrivateKey</c>
/// (generated once into the data folder outside Production, required in Production like every secret); the public key
/// is derived from it, so the two can never disagree.
/// </summary>
public sealed class VapidKeys(ServerSecrets secrets)
{
    public const string SecretName = "VapidPrivateKey";

    public static readonly ServerSecret Secret = new(SecretName, 32,
        "the VAPID (P-256) private key that signs Web Push requests; its public key is what browsers subscribe with");

    private readonly Lazy<(string Public, string Private)> _keys = new(() =>
    {
        var d = secrets.Get(SecretName, 32)[..32];
        try
        {
            using var key = ECDsa.Create(new ECParameters { Curve = ECCurve.NamedCurves.nistP256, D = d });
            var q = key.ExportParameters(false).Q;
            return (WebEncoders.Base64UrlEncode([0x04, .. q.X!, .. q.Y!]), WebEncoders.Base64UrlEncode(d));
        }
        catch (CryptographicException e)
        {
            throw new ServerSecretException($"Secrets:{SecretName} is not a usable P-256 private key ({e.Message}); set another 32 random bytes in base64.");
        }
    });

    /// <summary>The application server key browsers subscribe with (base64url, uncompressed point).</summary>
    public string PublicKey => _keys.Value.Public;

    public string PrivateKey => _keys.Value.Private;
}
