using Microsoft.Extensions.Logging;
using System.Collections.Concurrent;
using System.IO.Compression;
using System.Text.Json;
using Halo.Api.Data;
using Halo.Api.Features.Geo;
using Halo.Api.Features.Ingestion;
using Halo.Api.Features.Ingestion.Polisen;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;

namespace Halo.Api.Tests.Features.Ingestion;

/// <summary>Finds <c>shared/data</c> by walking up from the test binaries (on CI the repo sits beside a copy of shared/).</summary>
public static class SharedData
{
    public static string Root { get; } = Find();

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "data");
            if (Directory.Exists(candidate)) return candidate;
        }
        throw new DirectoryNotFoundException("shared/data not found above " + AppContext.BaseDirectory);
    }

    public static string PolisenEventsPath => Path.Combine(Root, "polisen", "events-2022-2024.json.gz");
    public static string CrimePath(string file) => Path.Combine(Root, "crime", file);

    private static readonly Lazy<IReadOnlyList<JsonElement>> Events = new(() =>
    {
        using var gz = new GZipStream(File.OpenRead(PolisenEventsPath), CompressionMode.Decompress);
        using var doc = JsonDocument.Parse(gz);
        return doc.RootElement.EnumerateArray().Select(e => e.Clone()).ToList();
    });

    /// <summary>All 45,075 real police events, parsed once per test run.</summary>
    public static IReadOnlyList<JsonElement> PolisenEvents => Events.Value;

    public static JsonElement EventById(long id) => PolisenEvents.First(e => e.GetProperty("id").GetInt64() == id);
}

/// <summary>Singletons that are costly to build, shared across tests (read-only).</summary>
public static class IngestionFixtures
{
    private static readonly Lazy<SwedishAreas> LazyAreas = new(() => SwedishAreas.Load(SwedishAreas.DefaultResourceDirectory));
    public static SwedishAreas Areas => LazyAreas.Value;

    public static PolisenEventParser Parser(TimeProvider? time = null) =>
        new(Areas, time ?? TimeProvider.System, NullLogger<PolisenEventParser>.Instance);
}

/// <summary>A migrated SQLite database in a temp folder, deleted on dispose.</summary>
public sealed class TempSqliteDb : IDisposable
{
    public string Directory { get; } = Path.Combine(Path.GetTempPath(), "halo-test-" + Guid.NewGuid().ToString("N"));
    public string ConnectionString => $"Data Source={Path.Combine(Directory, "halo.db")};Pooling=False";

    public TempSqliteDb()
    {
        System.IO.Directory.CreateDirectory(Directory);
        using var db = CreateContext();
        db.Database.Migrate();
    }

    public SqliteHaloDbContext CreateContext()
    {
        var b = new DbContextOptionsBuilder<SqliteHaloDbContext>();
        DataRegistration.ConfigureSqlite(b, ConnectionString);
        return new SqliteHaloDbContext(b.Options);
    }

    public IncidentImporter Importer(HaloDbContext db, TimeProvider? time = null) =>
        new(db, time ?? TimeProvider.System, NullLogger<IncidentImporter>.Instance);

    public void Dispose()
    {
        try { System.IO.Directory.Delete(Directory, recursive: true); }
        catch (IOException) { /* best effort: a late SQLite handle must not fail the test */ }
    }
}

/// <summary>Collects log lines so tests can assert what was logged.</summary>
public sealed class ListLogger<T> : ILogger<T>
{
    public ConcurrentQueue<(LogLevel Level, string Message)> Entries { get; } = new();
    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        Entries.Enqueue((logLevel, formatter(state, exception)));
}
