using System.IO.Compression;
using System.Text;
using Halo.Api.Features.Incidents;
using Halo.Api.Features.Ingestion;
using Halo.Api.Features.Ingestion.Polisen;
using Microsoft.EntityFrameworkCore;

namespace Halo.Api.Tests.Features.Ingestion;

public class IncidentImporterTests
{
    private static async Task<ImportResult> ImportFileAsync(TempSqliteDb store, string path)
    {
        await using var db = store.CreateContext();
        await using var file = File.OpenRead(path);
        return await store.Importer(db).ImportAsync(IncidentSources.Polisen, PolisenFileReader.ReadAsync(file, IngestionFixtures.Parser()));
    }

    private static string WriteEvents(string dir, string name, IEnumerable<string> eventsJson, bool gzip)
    {
        var path = Path.Combine(dir, name);
        var bytes = Encoding.UTF8.GetBytes("[" + string.Join(",", eventsJson) + "]");
        if (gzip)
        {
            using var gz = new GZipStream(File.Create(path), CompressionLevel.Fastest);
            gz.Write(bytes);
        }
        else File.WriteAllBytes(path, bytes);
        return path;
    }

    [Fact]
    public async Task ImportingTheFullSharedFileTwiceAddsNothingTheSecondTime()
    {
        using var store = new TempSqliteDb();
        var first = await ImportFileAsync(store, SharedData.PolisenEventsPath);
        Assert.Equal(45_075, first.Read);
        Assert.Equal(45_075, first.New);
        Assert.Equal(0, first.Rejected);

        var second = await ImportFileAsync(store, SharedData.PolisenEventsPath);
        Assert.Equal((0, 0, 45_075), (second.New, second.Updated, second.Unchanged));

        await using var db = store.CreateContext();
        Assert.Equal(45_075, await db.Incidents.CountAsync());
        Assert.Equal(7_412, await db.Incidents.CountAsync(i => !i.IsIncident && i.RawType.StartsWith("Sammanfattning")));
    }

    [Fact]
    public async Task AnEditedSummaryUpdatesTheRowInsteadOfDuplicatingIt()
    {
        using var store = new TempSqliteDb();
        var events = SharedData.PolisenEvents.Take(50).Select(e => e.GetRawText()).ToList();
        await ImportFileAsync(store, WriteEvents(store.Directory, "a.json", events, gzip: false));
        Guid originalId;
        await using (var db = store.CreateContext())
            originalId = (await db.Incidents.SingleAsync(i => i.ExternalId == "371971")).Id;

        var edited = events.Select(e => e.Replace("grep ordningsvakter en man.", "grep ordningsvakter en man. Uppdatering 18.00: mannen är häktad.", StringComparison.Ordinal)).ToList();
        var result = await ImportFileAsync(store, WriteEvents(store.Directory, "b.json.gz", edited, gzip: true));

        Assert.Equal((0, 1, 49), (result.New, result.Updated, result.Unchanged));
        await using var check = store.CreateContext();
        var row = await check.Incidents.SingleAsync(i => i.ExternalId == "371971");
        Assert.Equal(originalId, row.Id);
        Assert.EndsWith("mannen är häktad.", row.Summary, StringComparison.Ordinal);
        Assert.Equal(50, await check.Incidents.CountAsync());
    }

    [Fact]
    public async Task AMalformedEventIsRejectedWithoutBlockingTheBatch()
    {
        using var store = new TempSqliteDb();
        var events = SharedData.PolisenEvents.Take(3).Select(e => e.GetRawText())
            .Append("""{"id": 99, "datetime": "not a date", "name": "x", "type": "Brand"}""")
            .Append("""{"id": "text"}""")
            .Append("17")
            .Concat(SharedData.PolisenEvents.Skip(3).Take(2).Select(e => e.GetRawText()));
        var result = await ImportFileAsync(store, WriteEvents(store.Directory, "mixed.json", events, gzip: false));
        Assert.Equal((8, 5, 3), (result.Read, result.New, result.Rejected));
    }

    [Fact]
    public async Task RepeatedEventsInOneBatchKeepTheLastVersion()
    {
        using var store = new TempSqliteDb();
        var e = SharedData.EventById(371971).GetRawText();
        var later = e.Replace("grep ordningsvakter en man.", "Ny text.", StringComparison.Ordinal);
        var result = await ImportFileAsync(store, WriteEvents(store.Directory, "dup.json", [e, later], gzip: false));
        Assert.Equal(1, result.New);
        await using var db = store.CreateContext();
        Assert.EndsWith("galleria Ny text.", (await db.Incidents.SingleAsync()).Summary, StringComparison.Ordinal);
    }
}
