using System.Text.Json;
using Halo.Api.Tests.Infrastructure;

namespace Halo.Api.Tests.Security;

public sealed record ApiEndpoint(string Method, string Path, IReadOnlyList<string> QueryParameters, bool HasBody)
{
    public string Key => $"{Method} {Path}";
}

/// <summary>Reads every operation from the live OpenAPI document, so new endpoints are tested without being listed here.</summary>
public static class OpenApiEndpoints
{
    public static async Task<List<ApiEndpoint>> ReadAsync(HaloApiFactory factory)
    {
        var json = await factory.CreateClient().GetStringAsync("/openapi/v1.json");
        using var doc = JsonDocument.Parse(json);
        var list = new List<ApiEndpoint>();
        foreach (var path in doc.RootElement.GetProperty("paths").EnumerateObject())
        {
            foreach (var op in path.Value.EnumerateObject())
            {
                if (op.Name is "parameters" or "summary" or "description") continue;
                var query = new List<string>();
                if (op.Value.TryGetProperty("parameters", out var ps))
                    foreach (var p in ps.EnumerateArray())
                        if (p.GetProperty("in").GetString() == "query") query.Add(p.GetProperty("name").GetString()!);
                list.Add(new ApiEndpoint(op.Name.ToUpperInvariant(), path.Name, query, op.Value.TryGetProperty("requestBody", out _)));
            }
        }
        return list;
    }
}
