using System.Diagnostics;
using System.Globalization;
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
public sealed class ImportCommand(IServiceProvider services, IncidentImporter importer, PolisenEventParser parser, TimeProvider time)
    : ICliCommand
{
    public string Name => "import";

    public string Usage =>
        "import polisen FILE[.gz] [--batch-size N]\n" +
        "  import csv FILE[.gz] " + CsvColumns.OptionsUsage + " [--source NAME] [--precision-m M] [--batch-size N]";

    public async Task<int> RunAsync(string[] args, CancellationToken ct)
    {
        var a = new CliArgs(args);
        if (a.Positional.Count != 2) throw new CliUsageException("Give a format (polisen or csv) and one file.");
        var (format, path) = (a.Positional[0].ToLowerInvariant(), a.Positional[1]);
        if (!File.Exists(path)) throw new CliUsageException($"File '{path}' not found.");
        var batchSize = ParseInt(a, "batch-size", IncidentImporter.DefaultBatchSize, 1, 100_000);

        // An explicit admin command: bring either provider up to date before writing.
        await DataRegistration.MigrateAsync(services, force: true, ct);
        var sw = Stopwatch.StartNew();
        var progress = new SyncProgress<ImportProgress>(p =>
        {
            if (p.Read % 5000 < batchSize || p.Read < batchSize)
                Console.WriteLine($"  {p.Read,8:N0} read  {p.New,8:N0} new  {p.Updated,6:N0} updated  {p.Rejected,6:N0} rejected  ({sw.Elapsed.TotalSeconds:F1} s)");
        });

        await using var file = File.OpenRead(path);
        string source;
        IAsyncEnumerable<ParsedRecord> records;
        switch (format)
        {
            case "polisen":
                source = IncidentSources.Polisen;
                records = PolisenFileReader.ReadAsync(file, parser, ct);
                break;
            case "csv":
                var columns = CsvColumns.FromArgs(a);
                source = CsvIncidentMapper.SourceName(a.Get("source") ?? Path.GetFileName(path).Split('.')[0]);
                var precision = a.Has("precision-m") ? ParseInt(a, "precision-m", 0, 0, 1_000_000) : CsvIncidentMapper.DefaultPrecisionM;
                var now = time.GetUtcNow().UtcDateTime;
                records = CsvIncidentReader.ReadAsync(file, columns, ct)
                    .Select(r => CsvIncidentMapper.ToIncident(r, source, now, precision));
                break;
            default:
                throw new CliUsageException($"Unknown format '{format}': use polisen or csv.");
        }

        Console.WriteLine($"Importing {path} as {source} …");
        try
        {
            var r = await importer.ImportAsync(source, records, progress, batchSize, ct);
            Console.WriteLine($"Done in {sw.Elapsed.TotalSeconds:F1} s: {r.Read:N0} read, {r.New:N0} new, {r.Updated:N0} updated, " +
                              $"{r.Unchanged:N0} unchanged, {r.Rejected:N0} rejected.");
            return 0;
        }
        catch (Exception ex) when (ex is System.Text.Json.JsonException or InvalidDataException or IOException)
        {
            // Batches already committed stay; a re-run after fixing the file skips them.
            await Console.Error.WriteLineAsync($"Import stopped: {ex.Message}");
            return 1;
        }
    }

    private static int ParseInt(CliArgs a, string name, int fallback, int min, int max)
    {
        var s = a.Get(name);
        if (s is null) return fallback;
        return int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var v) && v >= min && v <= max
            ? v : throw new CliUsageException($"--{name} must be a whole number from {min} to {max}.");
    }
}
