using Halo.Api.Features.Incidents;
using Halo.Api.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Halo.Api.Tests.Features.Ingestion;

/// <summary>The full-file import on PostgreSQL+PostGIS (the server test.sh starts), where new rows go in by binary COPY.</summary>
public sealed class PostgresImportTests
{
    [Fact]
    public async Task FullSharedFileImportsOnceOnPostgresAndEditsUpdateInPlace()
    {
        await using var app = new PostgresApiFactory();
        app.CreateClient().Dispose();

        Task<int> ImportAsync(string path) => Program.Commands.InvokeAsync(app.Services, ["import", "polisen", path], TextWriter.Null, TextWriter.Null);

        Assert.Equal(0, await ImportAsync(SharedData.PolisenEventsPath));
        Assert.Equal(0, await ImportAsync(SharedData.PolisenEventsPath));
        Assert.Equal(45_075, await app.WithDb(db => db.Incidents.CountAsync(i => i.Source == IncidentSources.Polisen)));

        var edited = Path.Combine(app.DataDirectory, "edited.json");
        await File.WriteAllTextAsync(edited, "[" + string.Join(",", SharedData.PolisenEvents.Take(10)
            .Select(e => e.GetRawText().Replace("\"summary\": \"", "\"summary\": \"[ändrad] ", StringComparison.Ordinal))) + "]");
        Assert.Equal(0, await ImportAsync(edited));
        Assert.Equal(45_075, await app.WithDb(db => db.Incidents.CountAsync()));
        Assert.Equal(10, await app.WithDb(db => db.Incidents.CountAsync(i => i.Summary!.StartsWith("[ändrad] "))));
        // The computed geography column was filled for COPY-inserted rows.
        Assert.Equal(45_075, await app.WithDb(db => db.Incidents.CountAsync(i => EF.Property<NetTopologySuite.Geometries.Point>(i, "Geog") != null)));
    }
}
