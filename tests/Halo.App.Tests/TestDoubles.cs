using System.Net;
using System.Net.Http.Json;
using Halo.App.Services;
using Microsoft.JSInterop;

namespace Halo.App.Tests;

/// <summary>localStorage and the browser's languages without a browser.</summary>
internal sealed class FakeBrowser(IJSRuntime js) : BrowserApi(js)
{
    public Dictionary<string, string> Storage { get; } = new();

    public override Task<string?> GetAsync(string key) => Task.FromResult(Storage.TryGetValue(key, out var v) ? v : null);

    public override Task SetAsync(string key, string? value)
    {
        if (value is null) Storage.Remove(key); else Storage[key] = value;
        return Task.CompletedTask;
    }

    public override Task<string[]> LanguagesAsync() => Task.FromResult(new[] { "en-GB" });

    public override Task SetDocumentLanguageAsync(string lang) => Task.CompletedTask;
}

/// <summary>The API as the test wants it to answer; every request is kept with its body (read before it is disposed).</summary>
internal sealed class FakeApi(Func<HttpRequestMessage, HttpResponseMessage> answer) : HttpMessageHandler
{
    public List<(HttpMethod Method, string Path, string? Body)> Requests { get; } = [];

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
    {
        var body = request.Content is null ? null : await request.Content.ReadAsStringAsync(ct);
        lock (Requests) Requests.Add((request.Method, request.RequestUri!.AbsolutePath, body));
        return answer(request);
    }

    public static HttpResponseMessage Json<T>(HttpStatusCode status, T value) =>
        new(status) { Content = JsonContent.Create(value, options: HaloApiClient.Json) };

    public static HttpResponseMessage Problem(HttpStatusCode status) =>
        new(status) { Content = new StringContent($$"""{"title":"{{status}}","status":{{(int)status}}}""", System.Text.Encoding.UTF8, "application/problem+json") };
}
