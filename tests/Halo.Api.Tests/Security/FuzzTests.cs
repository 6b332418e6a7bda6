using System.Text;
using Halo.Api.Features.Auth;
using Halo.Api.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Halo.Api.Tests.Security;

/// <summary>
/// Hostile input against every endpoint of the live OpenAPI document: wrong types, missing fields, huge numbers, NaN,
/// unicode and control characters, 10 MB bodies, SQL-ish and script-ish strings, path traversal in ids. The server must
/// answer 4xx (never 5xx), never hang, and leave the store's row counts as they were.
/// It talks to a real Kestrel socket, so the raw bytes of each request are parsed as in production.
/// Count and seed: HALO_FUZZ_COUNT (default 20000) and HALO_FUZZ_SEED (default 1234).
/// </summary>
public sealed class FuzzTests(FuzzApiFactory factory) : IClassFixture<FuzzApiFactory>
{
    // Bodiless actions: any call is a valid call that changes state by design (delete my account, start a job).
    // Their authorization is covered by the matrix test and their behaviour by their own tests.
    private static readonly HashSet<string> Skipped =
    [
        "DELETE /api/v1/me", "POST /api/v1/admin/classifier/retrain", "POST /api/v1/admin/ingestion/trigger",
        "POST /api/v1/admin/retrain/trigger", "DELETE /api/v1/me/position",
        // Replaces the whole set, and every field left out takes its default: a body of unknown fields is a valid call.
        "PUT /api/v1/me/alerts",
    ];

    private static readonly string[] Strings =
    [
        "", " ", "\0", "\u0001\u0002\u001b[31m", "' OR 1=1 --", "'; DROP TABLE incidents; --", "\" OR \"\"=\"", "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>", "../../../../etc/passwd", "..%2F..%2Fetc%2Fpasswd", "%00", "{{7*7}}", "${jndi:ldap://x}",
        "ÅÄÖ åäö", "😀💥🚓", "\u202e\u0635\u0645", "\ud800", "null", "true", "NaN", "-Infinity", "1e309", "-0", "0x7fffffff",
        "99999999999999999999999999", "2024-13-45T99:99:99Z", "00000000-0000-0000-0000-000000000000", new string('A', 5000),
    ];

    private static readonly string[] Numbers =
        ["0", "-1", "1e308", "-1e308", "1e-320", "9223372036854775808", "-9223372036854775809", "3.4028235e39", "NaN", "Infinity", "\"12\"", "[]", "{}", "null", "true"];

    private static readonly string[] Fields =
    [
        "category", "description", "latitude", "longitude", "occurred_at", "severity", "title", "email", "password", "display_name",
        "refresh_token", "role", "reason", "accuracy_m", "location_name", "current_password", "device_id", "media_ids", "sensors",
    ];

    [Fact]
    public async Task HostileInputGetsOnly4xxAndChangesNothing()
    {
        var count = int.TryParse(Environment.GetEnvironmentVariable("HALO_FUZZ_COUNT"), out var c) ? c : 20_000;
        var seed = int.TryParse(Environment.GetEnvironmentVariable("HALO_FUZZ_SEED"), out var s) ? s : 1234;
        var rng = new Random(seed);
        var endpoints = (await OpenApiEndpoints.ReadAsync(factory)).Where(e => !Skipped.Contains(e.Key)).ToList();
        // Trained models, so /classify and the prediction endpoints answer as in production, not 503 "model not ready".
        await Features.Classification.ClassificationApi.SeedPolisenAsync(factory, Features.Classification.SmallCorpus.Examples(), factory.Clock.GetUtcNow().UtcDateTime);
        await factory.Services.GetRequiredService<Halo.Api.Features.Classification.ClassifierService>().RetrainAsync(CancellationToken.None);
        await Features.Predictions.PredictionTestData.SeedAsync(factory);
        var risk = factory.Services.GetRequiredService<Halo.Api.Features.Predictions.Serving.RiskModelService>();
        await risk.RetrainAsync(risk.NewVersion(), CancellationToken.None);
        var admin = await factory.CreateClientAsAsync(Roles.Admin);
        var anonymous = factory.CreateClient();
        var before = await Counts();
        var failures = new List<string>();
        var bigBodies = 0;

        for (var n = 0; n < count; n++)
        {
            var e = endpoints[rng.Next(endpoints.Count)];
            var path = e.Path.Replace("{id}", Uri.EscapeDataString(Pick(rng, Strings).Length == 0 ? "x" : Pick(rng, Strings)));
            var query = string.Join('&', e.QueryParameters.Concat(["limit", "cursor", "bbox"]).Where(_ => rng.Next(3) == 0)
                .Select(q => q + "=" + Uri.EscapeDataString(rng.Next(2) == 0 ? Pick(rng, Strings) : Pick(rng, Numbers).Trim('"'))));
            var request = new HttpRequestMessage(new HttpMethod(e.Method), path + (query.Length > 0 ? "?" + query : ""));
            if (e.Method is "POST" or "PUT" or "PATCH")
            {
                // A handful of 10 MB bodies per run: enough to prove the limit, cheap enough to keep the run short.
                var big = bigBodies < 10 && rng.Next(1000) == 0;
                if (big) bigBodies++;
                request.Content = new StringContent(big ? "{\"description\":\"" + new string('x', 10 << 20) + "\"}" : Body(rng),
                    Encoding.UTF8, rng.Next(20) == 0 ? "text/plain" : "application/json");
                // Wait for the server's verdict before streaming 10 MB, as a well-behaved client would: the server
                // refuses over-limit bodies up front, and a client still writing would only see a closed socket.
                if (big) request.Headers.ExpectContinue = true;
            }
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            HttpResponseMessage res;
            try
            {
                res = await (rng.Next(4) == 0 ? anonymous : admin).SendAsync(request, timeout.Token);
            }
            catch (OperationCanceledException)
            {
                failures.Add($"hang: {request.Method} {Short(request.RequestUri)}");
                continue;
            }
            if ((int)res.StatusCode >= 500 || (int)res.StatusCode < 400 && e.Method != "GET" && !IsHarmlessSuccess(e))
                failures.Add($"{(int)res.StatusCode}: {request.Method} {Short(request.RequestUri)}");
            if (failures.Count > 20) break;
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
        Assert.Equal(before, await Counts());
    }

    // Logout answers 204 for any token (it reveals nothing); PATCH /me accepts any printable display name; classify
    // accepts any non-blank text (gibberish gets low confidence). None adds or removes a row, which the final count
    // check still proves.
    private static bool IsHarmlessSuccess(ApiEndpoint e) =>
        e.Key is "POST /api/v1/auth/logout" or "PATCH /api/v1/me" or "POST /api/v1/classify";

    private static string Short(Uri? uri) => uri?.ToString() is { Length: > 200 } u ? u[..200] + "…" : uri?.ToString() ?? "";

    private static string Pick(Random rng, string[] from) => from[rng.Next(from.Length)];

    private static string Body(Random rng)
    {
        switch (rng.Next(8))
        {
            case 0: return Pick(rng, ["", "{", "[", "{\"a\":", "nul", "{}}", "\"x\"", "[]", "123", "{\"a\":NaN}", "{\"a\":Infinity}"]);
            case 1: return "[" + string.Join(',', Enumerable.Range(0, rng.Next(1, 50)).Select(_ => "{}")) + "]";
            default:
                var fields = Fields.Where(_ => rng.Next(3) == 0).Select(f =>
                {
                    var v = rng.Next(3) switch
                    {
                        0 => System.Text.Json.JsonSerializer.Serialize(Pick(rng, Strings)),
                        1 => Pick(rng, Numbers),
                        _ => rng.Next(2) == 0 ? "[1,\"a\",null]" : "{\"nested\":{\"deep\":[" + new string('[', 64) + new string(']', 64) + "]}}",
                    };
                    return $"\"{f}\":{v}";
                });
                return "{" + string.Join(',', fields) + "}";
        }
    }

    private Task<(int, int, int, int)> Counts() => factory.WithDb(async db => (
        await db.Incidents.CountAsync(),
        await db.Set<User>().CountAsync(),
        await db.Set<RefreshToken>().CountAsync(),
        await db.Set<Halo.Api.Features.Audit.AuditEntry>().CountAsync()));
}

/// <summary>The real app on a Kestrel socket, with small training settings so the fixture can train both models quickly.</summary>
public sealed class FuzzApiFactory : HaloApiFactory
{
    public FuzzApiFactory() : base(DbProvider.Sqlite)
    {
        With("Classification:MinTrainingExamples", "10");
        Features.Predictions.PredictionTestData.Fast(this);
        UseKestrel(0);
        StartServer();
    }
}
