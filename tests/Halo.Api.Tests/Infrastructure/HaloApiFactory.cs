using Halo.Api.Data;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace Halo.Api.Tests.Infrastructure;

public enum DbProvider { Sqlite, Postgres }

/// <summary>
/// The real app over a real store: a fresh SQLite file in a temp folder, or a fresh database on the PostgreSQL+PostGIS
/// server that test.sh starts (HALO_TEST_POSTGRES). Sample seeding and outside pollers are off unless a test turns them on.
/// </summary>
public class HaloApiFactory : WebApplicationFactory<Program>
{
    private readonly Dictionary<string, string?> _settings = new(StringComparer.OrdinalIgnoreCase);
    private readonly string? _postgresDatabase;

    public HaloApiFactory(DbProvider provider, string? dataDirectory = null, string? postgresDatabase = null)
    {
        Provider = provider;
        DataDirectory = dataDirectory ?? Path.Combine(Path.GetTempPath(), "halo-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(DataDirectory);
        _settings["Database:Provider"] = provider.ToString();
        _settings["Database:DataDirectory"] = DataDirectory;
        _settings["Database:SeedSample"] = "false";
        _settings["Database:MigrateOnStart"] = "true";
        _settings["Ingestion:Polisen:Enabled"] = "false";
        // Training a model at start takes a minute; tests that need one train it on their own small data.
        _settings["Classification:TrainOnStart"] = "false";
        _settings["Predictions:TrainOnStart"] = "false";
        _settings["Training:DailyRetrainEnabled"] = "false";
        _settings["Backups:ScheduleEnabled"] = "false";
        _settings["Logging:LogLevel:Default"] = "Warning";
        _settings["Logging:LogLevel:Microsoft.Hosting.Lifetime"] = "Warning";
        // Tests that break the store on purpose would fill the output with EF's failed-command lines.
        _settings["Logging:LogLevel:Microsoft.EntityFrameworkCore.Database.Command"] = "Critical";
        // Most tests share one client address; rate-limit tests turn the limiter back on with small limits.
        _settings["RateLimiting:Enabled"] = "false";
        if (provider == DbProvider.Postgres)
        {
            _postgresDatabase = postgresDatabase ?? "halo_test_" + Guid.NewGuid().ToString("N")[..12];
            _settings["Database:ConnectionString"] = PostgresTestServer.CreateDatabase(_postgresDatabase);
        }
    }

    public DbProvider Provider { get; }
    public string DataDirectory { get; }

    /// <summary>A fake clock tests can move; the app sees it as its TimeProvider.</summary>
    public FakeTimeProvider Clock { get; } = new(new DateTimeOffset(2025, 3, 14, 12, 0, 0, TimeSpan.Zero));

    /// <summary>Leave the data folder and the PostgreSQL database in place on dispose, for a second factory over the same store (restart tests).</summary>
    public bool KeepStoreOnDispose { get; set; }

    /// <summary>Use the real clock instead of <see cref="Clock"/>.</summary>
    public bool UseRealClock { get; init; }

    public HaloApiFactory With(string key, string? value)
    {
        _settings[key] = value;
        return this;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        foreach (var (k, v) in _settings) builder.UseSetting(k, v);
        builder.ConfigureServices(services =>
        {
            if (!UseRealClock) services.AddSingleton<TimeProvider>(Clock);
            services.AddSingleton<IStartupFilter, TestPeerAddress>();
        });
    }

    /// <summary>
    /// As the base does, but an app whose start fails is disposed here: the base drops it without disposing it, and its
    /// container lived on, its gauges read by every later test host's metrics (meters are process-wide) against a store
    /// this factory had already deleted.
    /// </summary>
    protected override IHost CreateHost(IHostBuilder builder)
    {
        var capturing = new BuildCapturingHostBuilder(builder);
        try
        {
            return base.CreateHost(capturing);
        }
        catch
        {
            // The start's own failure is what the caller must see: disposing a host whose start failed half way can
            // meet services already disposed (seen once in a full run, masking the options error a test asserts).
            try { capturing.Built?.Dispose(); }
            catch (ObjectDisposedException) { }
            throw;
        }
    }

    /// <summary>Forwards everything to the builder it wraps and keeps what <see cref="Build"/> made.</summary>
    private sealed class BuildCapturingHostBuilder(IHostBuilder inner) : IHostBuilder, ISupportsConfigureWebHost
    {
        public IHost? Built { get; private set; }
        public IDictionary<object, object> Properties => inner.Properties;
        public IHost Build() => Built = inner.Build();

        public IHostBuilder ConfigureHostConfiguration(Action<IConfigurationBuilder> configureDelegate) => Then(inner.ConfigureHostConfiguration(configureDelegate));
        public IHostBuilder ConfigureAppConfiguration(Action<HostBuilderContext, IConfigurationBuilder> configureDelegate) => Then(inner.ConfigureAppConfiguration(configureDelegate));
        public IHostBuilder ConfigureServices(Action<HostBuilderContext, IServiceCollection> configureDelegate) => Then(inner.ConfigureServices(configureDelegate));
        public IHostBuilder ConfigureContainer<TContainerBuilder>(Action<HostBuilderContext, TContainerBuilder> configureDelegate) => Then(inner.ConfigureContainer(configureDelegate));
        public IHostBuilder UseServiceProviderFactory<TContainerBuilder>(IServiceProviderFactory<TContainerBuilder> factory) where TContainerBuilder : notnull =>
            Then(inner.UseServiceProviderFactory(factory));
        public IHostBuilder UseServiceProviderFactory<TContainerBuilder>(Func<HostBuilderContext, IServiceProviderFactory<TContainerBuilder>> factory) where TContainerBuilder : notnull =>
            Then(inner.UseServiceProviderFactory(factory));
        public IHostBuilder ConfigureWebHost(Action<IWebHostBuilder> configure, Action<WebHostBuilderOptions> configureOptions) =>
            Then(inner.ConfigureWebHost(configure, configureOptions));

        private BuildCapturingHostBuilder Then(IHostBuilder _) => this;
    }

    public AsyncServiceScope Scope() => Services.CreateAsyncScope();

    /// <summary>Runs <paramref name="work"/> with a fresh DbContext from the app's own container.</summary>
    public async Task<T> WithDb<T>(Func<HaloDbContext, Task<T>> work)
    {
        await using var scope = Scope();
        return await work(scope.ServiceProvider.GetRequiredService<HaloDbContext>());
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (!disposing || KeepStoreOnDispose) return;
        if (_postgresDatabase is not null) PostgresTestServer.DropDatabase(_postgresDatabase);
        try { Directory.Delete(DataDirectory, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}

/// <summary>
/// The in-memory TestServer has no TCP peer: this stands in for it. A request's peer address is the
/// <see cref="Header"/> value when sent, else <see cref="Default"/>. It runs before every product middleware, so forwarded
/// headers, limits and witness checks see it exactly as they would see a socket's address.
/// </summary>
public sealed class TestPeerAddress : IStartupFilter
{
    public const string Header = "X-Test-Peer-Address";
    public static readonly System.Net.IPAddress Default = System.Net.IPAddress.Parse("198.51.100.7");

    public Action<Microsoft.AspNetCore.Builder.IApplicationBuilder> Configure(Action<Microsoft.AspNetCore.Builder.IApplicationBuilder> next) => app =>
    {
        app.Use(async (HttpContext ctx, Func<Task> nextMiddleware) =>
        {
            if (ctx.Connection.RemoteIpAddress is null)
                ctx.Connection.RemoteIpAddress = ctx.Request.Headers.TryGetValue(Header, out var v) && System.Net.IPAddress.TryParse(v.ToString(), out var ip)
                    ? ip : Default;
            ctx.Request.Headers.Remove(Header);
            await nextMiddleware();
        });
        next(app);
    };
}

public static class TestPeerAddressExtensions
{
    /// <summary>Sends the request as if from <paramref name="address"/> (see <see cref="TestPeerAddress"/>).</summary>
    public static HttpRequestMessage From(this HttpRequestMessage request, string address)
    {
        request.Headers.Remove(TestPeerAddress.Header);
        request.Headers.Add(TestPeerAddress.Header, address);
        return request;
    }
}

public sealed class SqliteApiFactory() : HaloApiFactory(DbProvider.Sqlite);

public sealed class PostgresApiFactory() : HaloApiFactory(DbProvider.Postgres);

/// <summary>The app on a real Kestrel socket on 127.0.0.1, for tests whose input the in-memory TestServer would refuse to send.</summary>
public sealed class SqliteKestrelApiFactory : HaloApiFactory
{
    public SqliteKestrelApiFactory() : base(DbProvider.Sqlite)
    {
        UseKestrel(0);
        StartServer();
    }
}

/// <summary>The PostgreSQL server test.sh started; every factory gets its own database on it.</summary>
public static class PostgresTestServer
{
    public static string BaseConnectionString =>
        Environment.GetEnvironmentVariable("HALO_TEST_POSTGRES")
        ?? throw new InvalidOperationException(
            "HALO_TEST_POSTGRES is not set. Run the tests with ./test.sh, which starts PostgreSQL+PostGIS on 127.0.0.1.");

    public static string CreateDatabase(string name)
    {
        using var conn = new NpgsqlConnection(BaseConnectionString);
        conn.Open();
        // An existing database is reused: a second factory over the same store simulates an app restart.
        using var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = @n", conn);
        exists.Parameters.AddWithValue("n", name);
        if (exists.ExecuteScalar() is null)
        {
            using var cmd = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", conn);
            cmd.ExecuteNonQuery();
        }
        return new NpgsqlConnectionStringBuilder(BaseConnectionString) { Database = name }.ConnectionString;
    }

    public static void DropDatabase(string name)
    {
        NpgsqlConnection.ClearAllPools();
        using var conn = new NpgsqlConnection(BaseConnectionString);
        conn.Open();
        using var cmd = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", conn);
        cmd.ExecuteNonQuery();
    }
}
