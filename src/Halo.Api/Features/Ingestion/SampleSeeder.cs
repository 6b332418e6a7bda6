using Halo.Api.Data;
using Halo.Api.Features.Incidents;
using Halo.Api.Features.Ingestion.Polisen;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Halo.Api.Features.Ingestion;

/// <summary>
/// First run: when <c>Database:SeedSample</c> is on and the incidents table is empty, loads the bundled sample of
/// real police events (second half of 2024) through the normal import path, so a fresh clone has data at once.
/// Runs at host start, after Program.cs has applied migrations; a failure is logged and never stops the app.
/// </summary>
public sealed class SampleSeeder(IServiceScopeFactory scopes, IOptions<DatabaseOptions> database, ILogger<SampleSeeder> logger)
    : IHostedService
{
    public static string SamplePath => Path.Combine(AppContext.BaseDirectory, "Resources", "sample", "polisen-sample.json.gz");

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!database.Value.SeedSample) return;
        try
        {
            await SeedAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogError(ex, "Loading the bundled sample failed; the API starts without it");
        }
    }

    /// <summary>Loads the sample if the store is empty. Returns the import result, or null when skipped.</summary>
    public async Task<ImportResult?> SeedAsync(CancellationToken ct)
    {
        using var scope = scopes.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<HaloDbContext>();
        if (await db.Incidents.AnyAsync(ct)) return null;
        if (!File.Exists(SamplePath))
        {
            logger.LogWarning("Sample file {Path} is missing; nothing to load", SamplePath);
            return null;
        }
        logger.LogInformation("Empty store: loading the bundled sample of police events from {Path}", SamplePath);
        var importer = scope.ServiceProvider.GetRequiredService<IncidentImporter>();
        var parser = scope.ServiceProvider.GetRequiredService<PolisenEventParser>();
        await using var file = File.OpenRead(SamplePath);
        var progress = new SyncProgress<ImportProgress>(p =>
            logger.LogInformation("Sample: {Read} events read, {New} stored", p.Read, p.New));
        var result = await importer.ImportAsync(IncidentSources.Polisen, PolisenFileReader.ReadAsync(file, parser, ct),
            progress, batchSize: 2000, ct: ct);
        logger.LogInformation("Sample loaded: {New} new, {Rejected} rejected of {Read} events", result.New, result.Rejected, result.Read);
        return result;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>An <see cref="IProgress{T}"/> that reports on the caller's thread (Progress&lt;T&gt; posts to the thread pool, out of order).</summary>
public sealed class SyncProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
