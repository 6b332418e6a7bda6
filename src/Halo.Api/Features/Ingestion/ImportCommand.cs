using System.CommandLine;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using Halo.Api.Features.Classification;
using Halo.Api.Data;
using Halo.Api.Features.Incidents;
using Halo.Api.Features.Ingestion.Csv;
using Halo.Api.Features.Ingestion.Polisen;
using Halo.Api.Infrastructure;

namespace Halo.Api.Features.Ingestion;

/// <summary>
/// <c>import polisen FILE[.gz]</c> and <c>import csv FILE[.gz] …</c>: bulk, idempotent loads through the same
/// importer as the poller. Prints progress and a summary; exit code 1 when the file cannot be read to the end.
/// </summary>
public sealed class ImportCommand(IServiceProvider services, IncidentImporter importer, PolisenEventParser parser, TimeProvider time, HaloDbContext db,
    ClassifierService classifier)
{
    public static Command Create(CliContext cli)
    {
        var batchSize = Cli.IntOption("--batch-size", "Records per transaction", IncidentImporter.DefaultBatchSize, 1, 100_000);

        var polisenFile = Cli.FileArgument("Police events: the API's JSON array, optionally gzipped");
        var polisen = new Command("polisen", "Import a Swedish Police events file (JSON array, .gz allowed).") { polisenFile, batchSize };
        polisen.SetAction((p, ct) => cli.RunAsync<ImportCommand>("import polisen", c => c.RunAsync(cli, cli.FullPath(p.GetRequiredValue(polisenFile)),
            p.GetValue(batchSize), IncidentSources.Polisen, c.ReadPolisen, ct)));

        var csvFile = Cli.FileArgument("Open crime data: a CSV file with a header row, optionally gzipped");
        var columns = new CsvColumnOptions();
        var source = new Option<string>("--source") { Description = "Incidents get source import:NAME (default: the file name up to its first dot)", HelpName = "NAME" };
        var precision = Cli.IntOption("--precision-m", "Radius in metres claimed for the positions", (int)CsvIncidentMapper.DefaultPrecisionM, 0, 1_000_000);
        var csv = new Command("csv", "Import an open crime-data CSV (any city's; columns are named by the options).") { csvFile, source, precision, batchSize };
        columns.AddTo(csv);
        csv.SetAction((p, ct) => cli.RunAsync<ImportCommand>("import csv", c =>
        {
            var path = cli.FullPath(p.GetRequiredValue(csvFile));
            var cols = columns.Columns(p, cli);
            var name = CsvIncidentMapper.SourceName(p.GetValue(source) ?? Path.GetFileName(path).Split('.')[0]);
            var filter = columns.Filter(p, cols);
            return c.RunAsync(cli, path, p.GetValue(batchSize), name,
                (file, token) => c.ReadCsv(file, cols, filter, name, p.GetValue(precision), token), ct, () =>
                {
                    if (!filter.IsActive) return;
                    cli.Out.WriteLine($"Filter: {filter.Kept:N0} rows kept, {filter.Dropped:N0} left out.");
                    // Rows of the values that did match are in; a fixed re-run adds only what is new.
                    filter.EnsureEveryValueMatched();
                });
        }));

        return new Command("import", "Bulk, idempotent import of incidents (a re-run adds nothing).") { polisen, csv };
    }

    private delegate IAsyncEnumerable<ParsedRecord> Reader(Stream file, CancellationToken ct);

    private async Task<int> RunAsync(CliContext cli, string path, int batchSize, string source, Reader read, CancellationToken ct, Action? afterImport = null)
    {
        if (!File.Exists(path)) throw new CliUsageException($"File '{path}' not found.");
        // An explicit admin command: bring either provider up to date before writing.
        await DataRegistration.MigrateAsync(services, force: true, ct);
        var sw = Stopwatch.StartNew();
        var lastPrinted = TimeSpan.Zero;
        var progress = new SyncProgress<ImportProgress>(p =>
        {
            // Every 5,000 records or 5 seconds, whichever comes first.
            if (p.Read % 5000 >= batchSize && p.Read >= batchSize && sw.Elapsed - lastPrinted < TimeSpan.FromSeconds(5)) return;
            lastPrinted = sw.Elapsed;
            cli.Out.WriteLine($"  {p.Read,8:N0} read  {p.New,8:N0} new  {p.Updated,6:N0} updated  {p.Rejected,6:N0} rejected  ({sw.Elapsed.TotalSeconds:F1} s)");
        });

        await using var file = File.OpenRead(path);
        await cli.Out.WriteLineAsync($"Importing {path} as {source} into {Cli.Describe(db)} …");
        try
        {
            var r = await importer.ImportAsync(source, read(file, ct), progress, batchSize, ct);
            await cli.Out.WriteLineAsync($"Done in {sw.Elapsed.TotalSeconds:F1} s: {r.Read:N0} read, {r.New:N0} new, {r.Updated:N0} updated, " +
                                         $"{r.Unchanged:N0} unchanged, {r.Rejected:N0} rejected.");
            afterImport?.Invoke();
            return 0;
        }
        catch (Exception ex) when (ex is System.Text.Json.JsonException or InvalidDataException or IOException)
        {
            // Batches already committed stay; a re-run after fixing the file skips them.
            await cli.Error.WriteLineAsync($"Import stopped: {ex.Message}");
            return 1;
        }
    }

    private async IAsyncEnumerable<ParsedRecord> ReadPolisen(Stream file, [EnumeratorCancellation] CancellationToken ct)
    {
        // Police types the taxonomy does not know are categorised by the stored classifier, as the server does.
        if (classifier.Current is null) await classifier.LoadLatestAsync(ct, markInterrupted: false);
        await foreach (var r in PolisenFileReader.ReadAsync(file, parser, ct)) yield return r;
    }

    private IAsyncEnumerable<ParsedRecord> ReadCsv(Stream file, CsvColumns columns, CsvCategoryFilter filter, string source, int precisionM, CancellationToken ct)
    {
        var now = time.GetUtcNow().UtcDateTime;
        return CsvIncidentReader.ReadAsync(file, columns, ct).Where(filter.Keep).Select(r => CsvIncidentMapper.ToIncident(r, source, now, precisionM));
    }
}
