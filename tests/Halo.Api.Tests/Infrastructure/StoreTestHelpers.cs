using System.Net;
using System.Net.Http.Headers;
using Halo.Api.Features.Media;
using Halo.Api.Tests.Features.Media;

namespace Halo.Api.Tests.Infrastructure;

/// <summary>Shared by the store failure and file mode tests.</summary>
public static class StoreTestHelpers
{
    /// <summary>The answer to a request the store could not serve: 503, the configured Retry-After, ProblemDetails.</summary>
    public static async Task AssertStoreUnavailable(this HttpResponseMessage res, string what, int retryAfterSeconds)
    {
        var body = await res.Content.ReadAsStringAsync();
        Assert.True(res.StatusCode == HttpStatusCode.ServiceUnavailable, $"{what}: {(int)res.StatusCode} {body}");
        Assert.Equal(retryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture), res.Headers.GetValues("Retry-After").Single());
        Assert.Equal("application/problem+json", res.Content.Headers.ContentType?.MediaType);
        Assert.Contains("Store unavailable", body);
    }

    /// <summary>Uploads a small JPEG as a new device.</summary>
    public static Task<HttpResponseMessage> UploadPhoto(this HttpClient client)
    {
        var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(TestFiles.JpegWithGpsExif(32, 32, orientation: 1));
        file.Headers.ContentType = MediaTypeHeaderValue.Parse("image/jpeg");
        form.Add(file, "file", "photo.jpg");
        var upload = new HttpRequestMessage(HttpMethod.Post, "/api/v1/media") { Content = form };
        upload.Headers.Add(MediaEndpoints.DeviceHeader, "dev-" + Guid.NewGuid().ToString("N"));
        return client.SendAsync(upload);
    }
}
