using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Halo.Api.Features.Reports;
using Halo.Api.Tests.Infrastructure;

namespace Halo.Api.Tests.Features.Reports;

/// <summary>Helpers shared by the report, media and moderation tests.</summary>
public static class ReportTestHelpers
{
    private static int _place;

    /// <summary>A place no other test uses: 0.1° apart (≥ 5 km), so tests never cluster with each other's reports.</summary>
    public static (double Lat, double Lon) NewPlace()
    {
        var n = Interlocked.Increment(ref _place);
        return (56.0 + n % 90 * 0.1, 12.5 + n / 90 * 0.15);
    }

    public static string NewDevice() => "dev-" + Guid.NewGuid().ToString("N");

    public static string Body(string deviceId, double lat, double lon, DateTime occurredAt, string category = "theft",
        string? description = "Someone broke a car window", IEnumerable<Guid>? mediaIds = null, object? sensors = null, int? severity = null) =>
        JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["category"] = category,
            ["latitude"] = lat,
            ["longitude"] = lon,
            ["accuracy_m"] = 12.5,
            ["occurred_at"] = occurredAt.ToString("O", CultureInfo.InvariantCulture),
            ["description"] = description,
            ["device_id"] = deviceId,
            ["media_ids"] = mediaIds?.ToArray() ?? [],
            ["ai_suggestion"] = new Dictionary<string, object?> { ["category"] = category, ["confidence"] = 0.8, ["model_version"] = "t-1" },
            ["sensors"] = sensors,
            ["severity"] = severity,
        });

    /// <summary>
    /// Submits as a reporter would: each device from a network of its own (derived from its id), so distinct devices are
    /// independent witnesses unless a test says where they come from (<paramref name="from"/>, a peer address).
    /// </summary>
    public static Task<HttpResponseMessage> SubmitRaw(this HttpClient client, string json, string? key = null, string? from = null)
    {
        var req = new HttpRequestMessage(HttpMethod.Post, "/api/v1/reports/submit")
        {
            Content = new StringContent(json, Encoding.UTF8, "application/json"),
        };
        req.Headers.Add("Idempotency-Key", key ?? Guid.NewGuid().ToString("N"));
        if ((from ?? NetworkOfDevice(json)) is { } address) req.From(address);
        return client.SendAsync(req);
    }

    /// <summary>A unique-local IPv6 address in a /48 of the device's own (null when the body names no device).</summary>
    public static string? NetworkOfDevice(string json)
    {
        try
        {
            using var doc = JsonDocument.Parse(json);
            if (doc.RootElement.ValueKind != JsonValueKind.Object || !doc.RootElement.TryGetProperty("device_id", out var d)
                || d.ValueKind != JsonValueKind.String) return null;
            var h = System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(d.GetString()!));
            return $"fd{h[0]:x2}:{h[1]:x2}{h[2]:x2}:{h[3]:x2}{h[4]:x2}::1";
        }
        catch (JsonException) { return null; }
    }

    public static async Task<SubmitReportResponse> SubmitOk(this HttpClient client, string json, string? key = null, string? from = null)
    {
        var res = await client.SubmitRaw(json, key, from);
        var text = await res.Content.ReadAsStringAsync();
        Assert.True(res.StatusCode == System.Net.HttpStatusCode.Created, $"{(int)res.StatusCode}: {text}");
        return JsonSerializer.Deserialize<SubmitReportResponse>(text, Json.Options)!;
    }

    public static DateTime Now(this HaloApiFactory f) => f.Clock.GetUtcNow().UtcDateTime;

    /// <summary>Every string value anywhere in a JSON document.</summary>
    public static IEnumerable<string> Strings(JsonElement e)
    {
        switch (e.ValueKind)
        {
            case JsonValueKind.String: yield return e.GetString()!; break;
            case JsonValueKind.Object:
                foreach (var p in e.EnumerateObject())
                {
                    yield return p.Name;
                    foreach (var s in Strings(p.Value)) yield return s;
                }
                break;
            case JsonValueKind.Array:
                foreach (var x in e.EnumerateArray()) foreach (var s in Strings(x)) yield return s;
                break;
        }
    }

    public static Task<ClusterDto?> Cluster(this HttpClient client, Guid id) =>
        client.GetFromJsonAsync<ClusterDto>($"/api/v1/reports/cluster/{id}", Json.Options);
}
