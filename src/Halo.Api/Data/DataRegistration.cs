using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.Options;

namespace Halo.Api.Data;

public static class DataRegistration
{
    /// <summary>Registers <see cref="HaloDbContext"/> for the configured provider.</summary>
    public static IServiceCollection AddHaloData(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<DatabaseOptions>().Bind(configuration.GetSection(DatabaseOptions.Section))
            .ValidateDataAnnotations().ValidateOnStart();
        var options = configuration.GetSection(DatabaseOptions.Section).Get<DatabaseOptions>() ?? new DatabaseOptions();

        if (options.IsPostgres)
        {
            var cs = options.ConnectionString ?? configuration.GetConnectionString("Postgres")
                ?? throw new InvalidOperationException("Database:Provider is Postgres but no connection string is set (Database:ConnectionString or ConnectionStrings:Postgres).");
            DataFolder.Secure(options, null);
            services.AddDbContextPool<PostgresHaloDbContext>(o => ConfigurePostgres(o, cs, options.BusyTimeoutSeconds, options.CommandTimeoutSeconds));
            services.AddScoped<HaloDbContext>(sp => sp.GetRequiredService<PostgresHaloDbContext>());
            services.AddSingleton<WriteGate, PostgresWriteGate>();
        }
        else
        {
            var cs = SqliteConnectionString(options);
            DataFolder.Secure(options, cs);
            services.AddDbContextPool<SqliteHaloDbContext>(o => ConfigureSqlite(o, cs));
            services.AddScoped<HaloDbContext>(sp => sp.GetRequiredService<SqliteHaloDbContext>());
            services.AddSingleton<WriteGate, SqliteWriteGate>();
        }
        services.AddStoreHealthChecks(options.IsPostgres);
        return services;
    }

    /// <summary>
    /// Registers the provider's implementation of a feature service whose whole protocol differs by provider (the
    /// provider seam, chosen here once, so feature code never asks which store it runs on).
    /// </summary>
    public static IServiceCollection AddForProvider<TService, TSqlite, TPostgres>(this IServiceCollection services,
        IConfiguration configuration, ServiceLifetime lifetime)
        where TService : class where TSqlite : class, TService where TPostgres : class, TService
    {
        var options = configuration.GetSection(DatabaseOptions.Section).Get<DatabaseOptions>() ?? new DatabaseOptions();
        services.Add(new ServiceDescriptor(typeof(TService), options.IsPostgres ? typeof(TPostgres) : typeof(TSqlite), lifetime));
        return services;
    }

    /// <summary>
    /// The SQLite connection string: the configured one, or <c>{DataDirectory}/halo.db</c>. Its <c>Default Timeout</c>
    /// (how long a command retries while another connection holds the write lock; Microsoft.Data.Sqlite's default is
    /// 30 s) is <see cref="DatabaseOptions.BusyTimeoutSeconds"/> unless the configured string sets one.
    /// </summary>
    public static string SqliteConnectionString(DatabaseOptions options)
    {
        if (!string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            var given = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = options.ConnectionString };
            if (new[] { "Default Timeout", "DefaultTimeout", "Command Timeout" }.Any(given.ContainsKey)) return options.ConnectionString;
            return new SqliteConnectionStringBuilder(options.ConnectionString) { DefaultTimeout = options.BusyTimeoutSeconds }.ToString();
        }
        Directory.CreateDirectory(options.DataDirectory);
        // Shared cache off, pooling on: WAL (set at start) lets readers run beside the single writer.
        return $"Data Source={Path.Combine(options.DataDirectory, "halo.db")};Pooling=True;Default Timeout={options.BusyTimeoutSeconds}";
    }

    public static void ConfigureSqlite(DbContextOptionsBuilder o, string cs) =>
        o.UseSqlite(cs, s => s.MigrationsAssembly(typeof(HaloDbContext).Assembly.FullName)).AddInterceptors(SqlitePragmas.Instance);

    public static void ConfigurePostgres(DbContextOptionsBuilder o, string cs, int? busyTimeoutSeconds = null, int? commandTimeoutSeconds = null) =>
        o.UseNpgsql(WithPostgresDefaults(cs, busyTimeoutSeconds, commandTimeoutSeconds), n => n.UseNetTopologySuite().ExecutionStrategy(d => new PostgresRetry(d)));

    /// <summary>
    /// Retries what a moment may fix (a dropped connection, a serialization failure, a deadlock) three times, at most
    /// 1 s apart, so a request that still fails answers 503 within a few seconds. A wait that timed out (pool exhausted,
    /// connect or command timeout) already used up its time and is not repeated.
    /// </summary>
    private sealed class PostgresRetry(ExecutionStrategyDependencies dependencies)
        : Npgsql.EntityFrameworkCore.PostgreSQL.NpgsqlRetryingExecutionStrategy(dependencies, 3, TimeSpan.FromSeconds(1), null)
    {
        protected override bool ShouldRetryOn(Exception? exception) =>
            exception is not Npgsql.NpgsqlException { InnerException: TimeoutException } && base.ShouldRetryOn(exception);
    }

    /// <summary>
    /// Npgsql settings Halo uses unless the connection string sets them itself. <c>No Reset On Close</c>: no
    /// <c>DISCARD ALL</c> each time a connection goes back to the pool (twice per report submission), which would also
    /// throw away prepared statements; Halo keeps no session state (its advisory locks are transaction-scoped, and
    /// Npgsql rolls back an open transaction on close). <c>Max Auto Prepare</c>: statements run often are prepared
    /// once per connection, so PostgreSQL stops parsing and planning them on every request. Together: report submission
    /// 477 → 760 reports/s on the 2-core bench machine in the same hour (bench/RESULTS-reports.md).
    /// </summary>
    public static string WithPostgresDefaults(string cs, int? busyTimeoutSeconds = null, int? commandTimeoutSeconds = null)
    {
        var given = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = cs };
        var npgsql = new Npgsql.NpgsqlConnectionStringBuilder(cs);
        // Timeout bounds the wait for a connection, from the pool or a new one (Npgsql's default is 15 s).
        if (busyTimeoutSeconds is { } wait && !given.ContainsKey("Timeout")) npgsql.Timeout = wait;
        // Command Timeout bounds the wait for the server's answer to one command (Database:CommandTimeoutSeconds).
        if (commandTimeoutSeconds is { } answer && !given.ContainsKey("Command Timeout") && !given.ContainsKey("CommandTimeout"))
            npgsql.CommandTimeout = answer;
        if (!given.ContainsKey("No Reset On Close") && !given.ContainsKey("NoResetOnClose")) npgsql.NoResetOnClose = true;
        if (!given.ContainsKey("Max Auto Prepare") && !given.ContainsKey("MaxAutoPrepare")) npgsql.MaxAutoPrepare = 64;
        // Prepared statements save the parsing, but keep planning each execution for its own values: after five runs
        // PostgreSQL may switch a prepared statement to one generic plan, and for the incidents page's bounding box that
        // plan is far slower (bench/RESULTS-reports.md).
        if (npgsql.Options?.Contains("plan_cache_mode", StringComparison.Ordinal) != true)
            npgsql.Options = ((npgsql.Options ?? "") + " -c plan_cache_mode=force_custom_plan").Trim();
        return npgsql.ConnectionString;
    }

    /// <summary>Applies migrations (SQLite always; Postgres when asked) and tunes SQLite for concurrent use.</summary>
    public static async Task MigrateAsync(IServiceProvider services, bool force, CancellationToken ct = default)
    {
        using var scope = services.CreateScope();
        var options = scope.ServiceProvider.GetRequiredService<IOptions<DatabaseOptions>>().Value;
        var db = scope.ServiceProvider.GetRequiredService<HaloDbContext>();
        if (!options.IsPostgres)
        {
            await db.Dialect.MigrateAsync(db, ct);
            // WAL (a property of the file) lets readers proceed while one writer commits; synchronous=NORMAL is set on
            // every connection by SqlitePragmas.
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", ct);
        }
        else if (force || options.MigrateOnStart)
        {
            await db.Dialect.MigrateAsync(db, ct);
        }
        else return;
        await ApplyDataFixesAsync(scope.ServiceProvider, db, ct);
    }

    private static async Task ApplyDataFixesAsync(IServiceProvider services, HaloDbContext db, CancellationToken ct)
    {
        var done = (await db.Set<DataFix>().Select(f => f.Id).ToListAsync(ct)).ToHashSet(StringComparer.Ordinal);
        var clock = services.GetRequiredService<TimeProvider>();
        foreach (var fix in services.GetServices<IDataFix>().Where(f => !done.Contains(f.Id)).OrderBy(f => f.Id, StringComparer.Ordinal))
        {
            // One transaction per fix, under the provider's execution strategy (PostgreSQL's retries need the whole unit).
            await db.Database.CreateExecutionStrategy().ExecuteAsync(async () =>
            {
                db.ChangeTracker.Clear();
                await using var tx = await db.Database.BeginTransactionAsync(ct);
                var changed = await fix.ApplyAsync(db, ct);
                db.Add(new DataFix { Id = fix.Id, AppliedAt = clock.GetUtcNow().UtcDateTime, RowsChanged = changed });
                await db.SaveChangesAsync(ct);
                await tx.CommitAsync(ct);
                db.ChangeTracker.Clear();
            });
        }
    }
}
