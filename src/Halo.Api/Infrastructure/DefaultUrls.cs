namespace Halo.Api.Infrastructure;

public static class DefaultUrls
{
    public const string Url = "http://localhost:5080";

    /// <summary>
    /// Listens on <see cref="Url"/> unless an address was chosen (<c>ASPNETCORE_URLS</c>, <c>--urls</c>, the <c>Urls</c>
    /// setting, <c>ASPNETCORE_HTTP_PORTS</c>/<c>HTTPS_PORTS</c>, or <c>Kestrel:Endpoints</c>). Set in code, not in
    /// appsettings.json: a <c>Urls</c> there would outrank <c>ASPNETCORE_URLS</c>.
    /// </summary>
    public static WebApplicationBuilder UseDefaultUrls(this WebApplicationBuilder builder)
    {
        var c = builder.Configuration;
        if (string.IsNullOrEmpty(c[WebHostDefaults.ServerUrlsKey]) && string.IsNullOrEmpty(c["http_ports"]) && string.IsNullOrEmpty(c["https_ports"])
            && !c.GetSection("Kestrel:Endpoints").Exists())
            builder.WebHost.UseUrls(Url);
        return builder;
    }
}
