using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using Halo.Api.Features.Classification;
using Halo.Api.Features.Incidents;
using Halo.Api.Features.Reports;
using Halo.Api.Features.Auth;
using Halo.Api.Features.Media;

namespace Halo.App.Services;

/// <summary>A ProblemDetails answer (every API error is one), or a network failure (Status 0).</summary>
public sealed record ApiProblem(int Status, string? Title, string? Detail, IReadOnlyDictionary<string, string[]> Errors, TimeSpan? RetryAfter)
{
    public static ApiProblem Network(string detail) => new(0, "Network error", detail, new Dictionary<string, string[]>(), null);
}

/// <summary>An API answer: a value, or the problem.</summary>
public sealed record ApiResult<T>(T? Value, ApiProblem? Problem)
{
    public bool Ok => Problem is null;
}

/// <summary>The typed client for Halo's API (same origin). JSON is snake_case, as on the server.</summary>
public sealed partial class HaloApiClient(HttpClient http, AuthSession session)
{
    public const string DeviceHeader = "X-Device-Id";

    public static readonly JsonSerializerOptions Json = CreateJson();

    private static JsonSerializerOptions CreateJson()
    {
        var o = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        };
        o.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower));
        return o;
    }

    public Task<ApiResult<IncidentPage>> GetIncidentsAsync(double minLon, double minLat, double maxLon, double maxLat,
        int rollingDays, int limit, CancellationToken ct = default) =>
        GetIncidentsAsync(minLon, minLat, maxLon, maxLat, $"rolling_days={rollingDays}", limit, ct);

    /// <summary>Incidents in the box between two instants; both null: any time (newest first, so the first is the latest).</summary>
    public Task<ApiResult<IncidentPage>> GetIncidentsAsync(double minLon, double minLat, double maxLon, double maxLat,
        DateTime? from, DateTime? to, int limit, CancellationToken ct = default)
    {
        static string At(DateTime t) => Uri.EscapeDataString(t.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
        var window = string.Join('&', new[] { from is { } f ? $"from={At(f)}" : null, to is { } t ? $"to={At(t)}" : null }.Where(x => x is not null));
        return GetIncidentsAsync(minLon, minLat, maxLon, maxLat, window, limit, ct);
    }

    /// <summary>Incidents within <paramref name="radiusKm"/> of a point, newest first: the last <paramref name="rollingDays"/>
    /// days, or between two instants, or (all null) any time.</summary>
    public Task<ApiResult<IncidentPage>> GetIncidentsNearAsync(double lat, double lon, double radiusKm, DateTime? from, DateTime? to,
        int? rollingDays, int limit, CancellationToken ct = default)
    {
        static string At(DateTime t) => Uri.EscapeDataString(t.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
        var q = FormattableString.Invariant($"api/v1/incidents?lat={Math.Round(lat, 5)}&lon={Math.Round(lon, 5)}&radius_km={radiusKm}&limit={limit}");
        if (rollingDays is { } d) q += FormattableString.Invariant($"&rolling_days={d}");
        if (from is { } f) q += $"&from={At(f)}";
        if (to is { } t) q += $"&to={At(t)}";
        return SendAsync<IncidentPage>(new HttpRequestMessage(HttpMethod.Get, q), ct);
    }

    private Task<ApiResult<IncidentPage>> GetIncidentsAsync(double minLon, double minLat, double maxLon, double maxLat,
        string window, int limit, CancellationToken ct)
    {
        var bbox = string.Join(',', new[] { minLon, minLat, maxLon, maxLat }.Select(v => Math.Round(v, 5).ToString(CultureInfo.InvariantCulture)));
        var query = $"api/v1/incidents?bbox={bbox}&limit={limit}" + (window.Length > 0 ? "&" + window : "");
        return SendAsync<IncidentPage>(new HttpRequestMessage(HttpMethod.Get, query), ct);
    }

    public Task<ApiResult<ClassifyResponse>> ClassifyAsync(string description, int topK, CancellationToken ct = default) =>
        SendAsync<ClassifyResponse>(new HttpRequestMessage(HttpMethod.Post, "api/v1/classify")
        {
            Content = JsonContent.Create(new ClassifyRequest(description, null, null, null, null, topK), options: Json),
        }, ct);

    public Task<ApiResult<MediaUploadResponse>> UploadMediaAsync(Stream content, string fileName, string contentType, string deviceId, CancellationToken ct = default)
    {
        var file = new StreamContent(content);
        file.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        var form = new MultipartFormDataContent { { file, "file", fileName } };
        var req = new HttpRequestMessage(HttpMethod.Post, "api/v1/media") { Content = form };
        req.Headers.Add(DeviceHeader, deviceId);
        return SendAsync<MediaUploadResponse>(req, ct);
    }

    public Task<ApiResult<SubmitReportResponse>> SubmitReportAsync(SubmitReportRequest report, string idempotencyKey, CancellationToken ct = default)
    {
        var req = new HttpRequestMessage(HttpMethod.Post, "api/v1/reports/submit") { Content = JsonContent.Create(report, options: Json) };
        req.Headers.Add("Idempotency-Key", idempotencyKey);
        if (report.DeviceId is not null) req.Headers.Add(DeviceHeader, report.DeviceId);
        return SendAsync<SubmitReportResponse>(req, ct);
    }

    /// <summary>A citizen cluster's current state (verification, reporters); 404 once it is gone.</summary>
    public Task<ApiResult<ClusterDto>> GetClusterAsync(Guid incidentId, CancellationToken ct = default) =>
        SendAsync<ClusterDto>(new HttpRequestMessage(HttpMethod.Get, $"api/v1/reports/cluster/{incidentId}"), ct);

    public Task<ApiResult<AuthResponse>> RegisterAsync(RegisterRequest body, CancellationToken ct = default) =>
        SendAsync<AuthResponse>(new HttpRequestMessage(HttpMethod.Post, "api/v1/auth/register") { Content = JsonContent.Create(body, options: Json) }, ct, authenticate: false);

    public Task<ApiResult<AuthResponse>> LoginAsync(LoginRequest body, CancellationToken ct = default) =>
        SendAsync<AuthResponse>(new HttpRequestMessage(HttpMethod.Post, "api/v1/auth/login") { Content = JsonContent.Create(body, options: Json) }, ct, authenticate: false);

    public Task<ApiResult<TokenPair>> RefreshAsync(string refreshToken, CancellationToken ct = default) =>
        SendAsync<TokenPair>(new HttpRequestMessage(HttpMethod.Post, "api/v1/auth/refresh") { Content = JsonContent.Create(new RefreshRequest(refreshToken), options: Json) }, ct, authenticate: false);

    public async Task LogoutAsync(string refreshToken, CancellationToken ct = default) =>
        await SendAsync<JsonElement>(new HttpRequestMessage(HttpMethod.Post, "api/v1/auth/logout") { Content = JsonContent.Create(new RefreshRequest(refreshToken), options: Json) }, ct, authenticate: false);

    /// <summary>The serving model's backtest against the best naive forecast; 404 before the first model is trained.</summary>
    public Task<ApiResult<Halo.Api.Features.Predictions.ReportCardResponse>> GetReportCardAsync(CancellationToken ct = default) =>
        SendAsync<Halo.Api.Features.Predictions.ReportCardResponse>(new HttpRequestMessage(HttpMethod.Get, "api/v1/predictions/report-card"), ct, authenticate: false);

    public Task<ApiResult<UserDto>> GetMeAsync(CancellationToken ct = default) =>
        SendAsync<UserDto>(new HttpRequestMessage(HttpMethod.Get, "api/v1/me"), ct);

    private async Task<ApiResult<T>> SendAsync<T>(HttpRequestMessage request, CancellationToken ct, bool authenticate = true)
    {
        using (request)
        {
            try
            {
                if (authenticate && await session.AccessTokenAsync(this, ct) is { } token)
                    request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
                using var response = await http.SendAsync(request, ct);
                if (response.IsSuccessStatusCode)
                {
                    if (response.StatusCode == HttpStatusCode.NoContent || response.Content.Headers.ContentLength == 0)
                        return new ApiResult<T>(default, null);
                    return new ApiResult<T>(await response.Content.ReadFromJsonAsync<T>(Json, ct), null);
                }
                return new ApiResult<T>(default, await ReadProblemAsync(response, ct));
            }
            catch (HttpRequestException e)
            {
                return new ApiResult<T>(default, ApiProblem.Network(e.Message));
            }
            catch (JsonException e)
            {
                return new ApiResult<T>(default, ApiProblem.Network("Unexpected answer: " + e.Message));
            }
        }
    }

    internal static async Task<ApiProblem> ReadProblemAsync(HttpResponseMessage response, CancellationToken ct)
    {
        string? title = null, detail = null;
        var errors = new Dictionary<string, string[]>(StringComparer.OrdinalIgnoreCase);
        try
        {
            using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct));
            var root = doc.RootElement;
            if (root.ValueKind == JsonValueKind.Object)
            {
                if (root.TryGetProperty("title", out var t) && t.ValueKind == JsonValueKind.String) title = t.GetString();
                if (root.TryGetProperty("detail", out var d) && d.ValueKind == JsonValueKind.String) detail = d.GetString();
                if (root.TryGetProperty("errors", out var e) && e.ValueKind == JsonValueKind.Object)
                    foreach (var p in e.EnumerateObject())
                        errors[p.Name] = p.Value.ValueKind == JsonValueKind.Array
                            ? p.Value.EnumerateArray().Select(x => x.ToString()).ToArray() : [p.Value.ToString()];
            }
        }
        catch (JsonException) { /* not a ProblemDetails body: the status says enough */ }
        TimeSpan? retry = response.Headers.RetryAfter?.Delta
            ?? (response.Headers.RetryAfter?.Date is { } date ? date - DateTimeOffset.UtcNow : null);
        return new ApiProblem((int)response.StatusCode, title ?? response.ReasonPhrase, detail, errors, retry);
    }
}
