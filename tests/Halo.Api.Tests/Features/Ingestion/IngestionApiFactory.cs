using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Halo.Api.Tests.Features.Ingestion;

/// <summary>
/// The real API over a temp SQLite file, with the police poller off and no sample unless a test asks.
/// (Replace with the shared HaloApiFactory once it lands in main.)
/// </summary>
public sealed class IngestionApiFactory(IReadOnlyDictionary<string, string?>? settings = null, Action<IServiceCollection>? services = null)
    : WebApplicationFactory<Program>
{
    public string DataDirectory { get; } = Path.Combine(Path.GetTempPath(), "halo-api-" + Guid.NewGuid().ToString("N"));

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting("Database:DataDirectory", DataDirectory);
        builder.UseSetting("Database:SeedSample", "false");
        builder.UseSetting("Ingestion:Polisen:Enabled", "false");
        foreach (var (k, v) in settings ?? new Dictionary<string, string?>()) builder.UseSetting(k, v);
        if (services is not null) builder.ConfigureTestServices(services);
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(DataDirectory, recursive: true); }
        catch (IOException) { /* best effort */ }
    }
}
