using System.Net.Http.Headers;
using Halo.Api.Features.Media;
using Halo.Api.Tests.Infrastructure;

namespace Halo.Api.Tests.Features.Media;

public static class MediaTestClient
{
    /// <summary>POST /api/v1/media with <paramref name="bytes"/> in the field 'file', as <paramref name="device"/>
    /// (and from <paramref name="peer"/> when given).</summary>
    public static async Task<HttpResponseMessage> UploadMedia(this HttpClient client, byte[] bytes, string device,
        string fileName = "upload.bin", string contentType = "application/octet-stream", string? peer = null)
    {
        using var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(bytes);
        file.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        form.Add(file, "file", fileName);
        var req = new HttpRequestMessage(HttpMethod.Post, "/api/v1/media") { Content = form };
        if (peer is not null) req.From(peer);
        req.Headers.Add(MediaEndpoints.DeviceHeader, device);
        return await client.SendAsync(req);
    }
}
