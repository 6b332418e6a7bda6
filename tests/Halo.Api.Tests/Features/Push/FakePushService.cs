using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Halo.Api.Tests.Features.Push;

/// <summary>A push service on 127.0.0.1 (real Kestrel): records each delivery request and answers what the test scripts.</summary>
public sealed class FakePushService : IAsyncDisposable
{
    public sealed record Delivery(string Path, IReadOnlyDictionary<string, string> Headers, byte[] Body);

    private readonly WebApplication _app;
    private readonly ConcurrentQueue<(int Status, string? RetryAfter)> _script = new();
    private readonly System.Threading.Channels.Channel<Delivery> _arrived = System.Threading.Channels.Channel.CreateUnbounded<Delivery>();
    public ConcurrentQueue<Delivery> Deliveries { get; } = new();
    public Uri BaseAddress { get; }

    private FakePushService(WebApplication app, Uri address)
    {
        _app = app;
        BaseAddress = address;
    }

    public static async Task<FakePushService> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        FakePushService? self = null;
        app.MapPost("/push/{id}", async (HttpContext ctx) =>
        {
            using var ms = new MemoryStream();
            await ctx.Request.Body.CopyToAsync(ms);
            var headers = ctx.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
            var delivery = new Delivery(ctx.Request.Path, headers, ms.ToArray());
            self!.Deliveries.Enqueue(delivery);
            var (status, retryAfter) = self._script.TryDequeue(out var s) ? s : (201, null);
            if (retryAfter is not null) ctx.Response.Headers.RetryAfter = retryAfter;
            ctx.Response.StatusCode = status;
            self._arrived.Writer.TryWrite(delivery);
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        self = new FakePushService(app, new Uri(address));
        return self;
    }

    /// <summary>The next requests are answered with these statuses (then 201).</summary>
    public void Answer(int status, string? retryAfter = null) => _script.Enqueue((status, retryAfter));

    public async Task<Delivery> NextAsync(int seconds = 30)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
        try { return await _arrived.Reader.ReadAsync(timeout.Token); }
        catch (OperationCanceledException) { throw new TimeoutException($"No push within {seconds} s."); }
    }

    /// <summary>The next request if one arrives within <paramref name="wait"/>, else null.</summary>
    public async Task<Delivery?> TryNextAsync(TimeSpan wait)
    {
        using var timeout = new CancellationTokenSource(wait);
        try { return await _arrived.Reader.ReadAsync(timeout.Token); }
        catch (OperationCanceledException) { return null; }
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}

/// <summary>A browser's side of a push subscription: its P-256 key pair and auth secret, and RFC 8291 decryption.</summary>
public sealed class BrowserSubscription : IDisposable
{
    private readonly ECDiffieHellman _key = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
    public byte[] AuthSecret { get; } = RandomNumberGenerator.GetBytes(16);
    public byte[] PublicKey { get; }
    public string Endpoint { get; }

    public BrowserSubscription(Uri pushService)
    {
        var q = _key.ExportParameters(false).Q;
        PublicKey = [0x04, .. q.X!, .. q.Y!];
        Endpoint = new Uri(pushService, "/push/" + Guid.NewGuid().ToString("N")).ToString();
    }

    public object ToJson(string language = "sv") => new
    {
        endpoint = Endpoint, keys = new { p256dh = WebEncoders.Base64UrlEncode(PublicKey), auth = WebEncoders.Base64UrlEncode(AuthSecret) }, language,
    };

    /// <summary>RFC 8291 / RFC 8188 aes128gcm, one record: header salt(16) rs(4) idlen(1) keyid(as_public).</summary>
    public string Decrypt(byte[] body)
    {
        var salt = body[..16];
        var idLength = body[20];
        var serverPublic = body[21..(21 + idLength)];
        var ciphertext = body[(21 + idLength)..];
        using var server = ECDiffieHellman.Create(new ECParameters
        {
            Curve = ECCurve.NamedCurves.nistP256, Q = new ECPoint { X = serverPublic[1..33], Y = serverPublic[33..65] },
        });
        var ecdh = _key.DeriveRawSecretAgreement(server.PublicKey);
        var keyInfo = Encoding.ASCII.GetBytes("WebPush: info\0").Concat(PublicKey).Concat(serverPublic).ToArray();
        var prkKey = HKDF.Extract(HashAlgorithmName.SHA256, ecdh, AuthSecret);
        var ikm = HKDF.Expand(HashAlgorithmName.SHA256, prkKey, 32, keyInfo);
        var prk = HKDF.Extract(HashAlgorithmName.SHA256, ikm, salt);
        var cek = HKDF.Expand(HashAlgorithmName.SHA256, prk, 16, Encoding.ASCII.GetBytes("Content-Encoding: aes128gcm\0"));
        var nonce = HKDF.Expand(HashAlgorithmName.SHA256, prk, 12, Encoding.ASCII.GetBytes("Content-Encoding: nonce\0"));
        var plain = new byte[ciphertext.Length - 16];
        using (var aes = new AesGcm(cek, 16)) aes.Decrypt(nonce, ciphertext[..^16], ciphertext[^16..], plain);
        // The last record ends with the delimiter 0x02, then zero padding.
        var end = Array.LastIndexOf(plain, (byte)0x02);
        Assert.True(end >= 0 && plain[(end + 1)..].All(b => b == 0), "bad padding delimiter");
        return Encoding.UTF8.GetString(plain, 0, end);
    }

    public void Dispose() => _key.Dispose();
}

/// <summary>RFC 8292: <c>Authorization: vapid t=JWT, k=key</c>, the JWT signed ES256 by that key, aud = the push service's origin.</summary>
public static class Vapid
{
    public static JsonElement Verify(FakePushService.Delivery d, string expectedPublicKey, Uri pushService, DateTimeOffset now)
    {
        var header = d.Headers["Authorization"];
        Assert.StartsWith("vapid ", header);
        var parts = header["vapid ".Length..].Split(',', StringSplitOptions.TrimEntries).ToDictionary(p => p[..p.IndexOf('=')], p => p[(p.IndexOf('=') + 1)..]);
        Assert.Equal(expectedPublicKey, parts["k"]);
        var jwt = parts["t"].Split('.');
        Assert.Equal(3, jwt.Length);
        var key = WebEncoders.Base64UrlDecode(parts["k"]);
        using var ecdsa = ECDsa.Create(new ECParameters { Curve = ECCurve.NamedCurves.nistP256, Q = new ECPoint { X = key[1..33], Y = key[33..65] } });
        Assert.True(ecdsa.VerifyData(Encoding.ASCII.GetBytes(jwt[0] + "." + jwt[1]), WebEncoders.Base64UrlDecode(jwt[2]), HashAlgorithmName.SHA256,
            DSASignatureFormat.IeeeP1363FixedFieldConcatenation), "the VAPID JWT's ES256 signature does not verify");
        var head = JsonDocument.Parse(WebEncoders.Base64UrlDecode(jwt[0])).RootElement;
        Assert.Equal("ES256", head.GetProperty("alg").GetString());
        var claims = JsonDocument.Parse(WebEncoders.Base64UrlDecode(jwt[1])).RootElement;
        // The origin of the push resource. Lib.Net.Http.WebPush writes scheme and host without the port: the same origin
        // for the https endpoints of real push services (default port), so only the fake's explicit port is left out.
        Assert.Equal($"{pushService.Scheme}://{pushService.Host}", claims.GetProperty("aud").GetString());
        var exp = DateTimeOffset.FromUnixTimeSeconds(claims.GetProperty("exp").GetInt64());
        // RFC 8292: at most 24 hours ahead. The library signs on the real clock.
        Assert.InRange(exp, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddHours(24));
        Assert.StartsWith("mailto:", claims.GetProperty("sub").GetString());
        return claims;
    }
}
