using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using static Halo.Api.Tests.Features.Reports.ReportTestHelpers;

namespace Halo.Api.Tests.Chaos;

/// <summary>One report a load client tried to submit, and how that ended.</summary>
/// <param name="Token">A unique word in the description, to find the report in the store.</param>
/// <param name="ReportId">The id the API acknowledged (2xx), or null when the client gave up.</param>
public sealed record SubmittedReport(string Token, string Key, string Body, Guid? ReportId, int Attempts);

/// <summary>
/// Clients submitting citizen reports as the app's outbox does: each report has its own Idempotency-Key, and a failed
/// try (connection refused or cut, timeout, 503, 409 "in progress") is retried with the same key and body after a short
/// back-off. Even-numbered clients are patient (they retry for <see cref="PatientFor"/>); odd ones give up after
/// <see cref="ImpatientAttempts"/> tries, so both endings of a report the API may or may not have stored are exercised.
/// </summary>
/// <param name="client">A new HTTP client to the API (each load client has its own).</param>
/// <param name="now">The API's clock: reports are dated ten minutes before it.</param>
public sealed class ReportLoad(Func<HttpClient> client, int clients, Func<DateTime> now)
{
    /// <summary>Clients of an API process on a real socket, on the real clock.</summary>
    public ReportLoad(Uri baseAddress, int clients)
        : this(() => new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(10) }, clients, () => DateTime.UtcNow)
    {
    }

    public const int ImpatientAttempts = 3;
    public static readonly TimeSpan PatientFor = TimeSpan.FromSeconds(60);

    private readonly ConcurrentQueue<SubmittedReport> _done = new();
    private readonly ConcurrentQueue<string> _unexpected = new();
    private int _acknowledged;

    public IReadOnlyCollection<SubmittedReport> Done => _done;

    /// <summary>Answers no client should ever get (a 500, a 4xx for a valid body): each with the report's token.</summary>
    public IReadOnlyCollection<string> Unexpected => _unexpected;

    public int Acknowledged => Volatile.Read(ref _acknowledged);

    /// <summary>Every answer status seen, with how often (connection failures as 0).</summary>
    public ConcurrentDictionary<int, int> Statuses { get; } = new();

    /// <summary>Runs the clients until <paramref name="stop"/>; each then finishes (or gives up on) the report in hand.</summary>
    public Task RunAsync(CancellationToken stop) =>
        Task.WhenAll(Enumerable.Range(0, clients).Select(i => Task.Run(() => ClientAsync(i, stop), CancellationToken.None)));

    private async Task ClientAsync(int index, CancellationToken stop)
    {
        using var http = client();
        var rng = new Random(index);
        var patient = index % 2 == 0;
        while (!stop.IsCancellationRequested)
        {
            var token = "chaos" + Guid.NewGuid().ToString("N");
            // Far apart enough that clusters stay small; a fresh device each time, so no report is another's duplicate.
            var body = Body(NewDevice(), 55.6 + rng.NextDouble() * 3.5, 12.9 + rng.NextDouble() * 4, now().AddMinutes(-10),
                description: "Window broken, ref " + token);
            var key = Guid.NewGuid().ToString("N");
            var started = DateTime.UtcNow;
            Guid? id = null;
            var attempts = 0;
            while (id is null && (patient ? DateTime.UtcNow - started < PatientFor : attempts < ImpatientAttempts))
            {
                attempts++;
                var (status, text) = await SendAsync(http, body, key);
                Statuses.AddOrUpdate(status, 1, (_, n) => n + 1);
                if (status is 200 or 201)
                {
                    id = JsonDocument.Parse(text).RootElement.GetProperty("report_id").GetGuid();
                    Interlocked.Increment(ref _acknowledged);
                    break;
                }
                var retry = status is 0 or 503 || status == 409 && text.Contains("Request in progress", StringComparison.Ordinal);
                if (!retry)
                {
                    _unexpected.Enqueue($"{token}: {status} {text}");
                    break;
                }
                await Task.Delay(Math.Min(1000, 150 * attempts), CancellationToken.None);
            }
            _done.Enqueue(new SubmittedReport(token, key, body, id, attempts));
        }
    }

    /// <summary>One try; status 0 when there was no answer (refused, cut, timed out).</summary>
    public static async Task<(int Status, string Text)> SendAsync(HttpClient http, string body, string key)
    {
        using var req = new HttpRequestMessage(HttpMethod.Post, "/api/v1/reports/submit")
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        req.Headers.Add("Idempotency-Key", key);
        try
        {
            using var res = await http.SendAsync(req);
            return ((int)res.StatusCode, await res.Content.ReadAsStringAsync());
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
        {
            return (0, e.Message);
        }
    }

    /// <summary>The store's reports, by the token in their description: token → ids of the rows carrying it.</summary>
    public static Dictionary<string, List<Guid>> ByToken(IEnumerable<(string Description, Guid Id)> rows)
    {
        var found = new Dictionary<string, List<Guid>>(StringComparer.Ordinal);
        foreach (var (description, id) in rows)
        {
            var at = description.IndexOf("chaos", StringComparison.Ordinal);
            if (at < 0) continue;
            var token = description[at..];
            if (!found.TryGetValue(token, out var ids)) found[token] = ids = [];
            ids.Add(id);
        }
        return found;
    }
}
