using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http.Metadata;

namespace Halo.Api.Infrastructure;

/// <summary>
/// 200 with a body written in one synchronous pass by a source-generated serializer into the response pipe. The
/// framework's streaming JSON writer drops System.Text.Json's fast path for any type whose payloads exceed its
/// flush threshold (~16 KB) and falls back to the reflection-metadata, resumable writer; a 100-incident map page is
/// ~60 KB, so the hottest responses would always take the slow path (ADR 4). Buffering one page is cheap.
/// </summary>
public sealed class FastJsonResult<T>(T value, JsonTypeInfo<T> typeInfo)
    : IResult, IStatusCodeHttpResult, IValueHttpResult, IValueHttpResult<T>, IContentTypeHttpResult, IEndpointMetadataProvider
{
    public T Value => value;
    object? IValueHttpResult.Value => value;
    public int StatusCode => StatusCodes.Status200OK;
    int? IStatusCodeHttpResult.StatusCode => StatusCode;
    public string ContentType => "application/json; charset=utf-8";

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        response.StatusCode = StatusCode;
        response.ContentType = ContentType;
        var body = response.BodyWriter;
        using (var writer = new Utf8JsonWriter(body, new JsonWriterOptions { Encoder = typeInfo.Options.Encoder, SkipValidation = true }))
        {
            JsonSerializer.Serialize(writer, value, typeInfo);
        }
        await body.FlushAsync(httpContext.RequestAborted);
    }

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) =>
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(T), ["application/json"]));
}
