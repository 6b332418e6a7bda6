using Halo.App;
using Halo.App.Services;
using Microsoft.AspNetCore.Components.Web;
using Microsoft.AspNetCore.Components.WebAssembly.Hosting;

var builder = WebAssemblyHostBuilder.CreateDefault(args);
builder.RootComponents.Add<HaloRoot>("#app");
builder.RootComponents.Add<HeadOutlet>("head::after");
// Same origin as the API: no CORS, and the base address is wherever the app was served from.
builder.Services.AddHaloApp(new Uri(builder.HostEnvironment.BaseAddress));
// The tile server is configurable in wwwroot/appsettings.json (Map:TileUrl, Map:TileAttribution).
var map = new MapOptions();
if (builder.Configuration["Map:TileUrl"] is { Length: > 0 } url) map.TileUrl = url;
if (builder.Configuration["Map:TileAttribution"] is { Length: > 0 } attribution) map.TileAttribution = attribution;
builder.Services.AddSingleton(map);
await builder.Build().RunAsync();
