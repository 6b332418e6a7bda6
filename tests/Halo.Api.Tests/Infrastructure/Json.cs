using System.Text.Json;
using Halo.Api.Infrastructure;

namespace Halo.Api.Tests.Infrastructure;

public static class Json
{
    /// <summary>The app's own wire options (snake_case), for reading responses into DTOs.</summary>
    public static readonly JsonSerializerOptions Options = Create();

    private static JsonSerializerOptions Create()
    {
        var o = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        ServiceDefaults.ConfigureJson(o);
        return o;
    }

    public static async Task<T> ReadAsync<T>(this HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        return JsonSerializer.Deserialize<T>(text, Options)
            ?? throw new InvalidOperationException($"Empty JSON for {typeof(T).Name}: {text}");
    }

    public static async Task<JsonElement> ReadJsonAsync(this HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        return JsonDocument.Parse(text).RootElement.Clone();
    }
}
