using System.Diagnostics;
using Halo.Api.Data;
using Halo.Api.Features.Classification;
using Halo.Api.Features.Incidents;
using Halo.Api.Features.Taxonomy;
using Microsoft.EntityFrameworkCore;

// Classification benchmark helper.
//   latency --data FILE [--n 20000]   in-process p50/p99 of ClassifierModel.Predict (model trained on events ≤ 2024-06-30)
//   seed --data FILE --data-dir DIR   loads the police events into a fresh SQLite store, for the HTTP run (run.sh)
var mode = args.FirstOrDefault() ?? "";
string Arg(string name, string? fallback = null)
{
    var i = Array.IndexOf(args, "--" + name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback ?? throw new ArgumentException($"--{name} is required");
}

switch (mode)
{
    case "latency":
    {
        var (examples, _) = await EvalClassifierCommand.LoadExamplesAsync(Arg("data"), false, null, CancellationToken.None);
        var train = examples.Where(e => e.Day <= new DateOnly(2024, 6, 30)).Select(e => e.Example).ToList();
        var test = examples.Where(e => e.Day >= new DateOnly(2024, 7, 1)).Select(e => e.Example.Text).ToList();
        var model = ClassifierTrainer.Train(train, "bench", ["sdca_maxent"]).Model;
        var n = int.Parse(Arg("n", "20000"), System.Globalization.CultureInfo.InvariantCulture);
        foreach (var t in test.Take(2000)) model.Predict(t); // warm-up: JIT, engine pool
        var ms = new double[n];
        for (var i = 0; i < n; i++)
        {
            var text = test[i % test.Count];
            var start = Stopwatch.GetTimestamp();
            model.Predict(text);
            ms[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }
        Array.Sort(ms);
        double P(double q) => ms[Math.Min(n - 1, (int)(q * n))];
        Console.WriteLine($"in-process Predict, {n} calls on {test.Count} distinct 2024-H2 texts (single thread):");
        Console.WriteLine($"p50 {P(0.50):F3} ms, p90 {P(0.90):F3} ms, p99 {P(0.99):F3} ms, p99.9 {P(0.999):F3} ms, max {ms[^1]:F3} ms, mean {ms.Average():F3} ms");

        // Parallel: the engine pool under contention from every core.
        var sw = Stopwatch.StartNew();
        var total = 0;
        Parallel.For(0, Environment.ProcessorCount, _ =>
        {
            var local = 0;
            while (sw.Elapsed < TimeSpan.FromSeconds(5)) { model.Predict(test[Random.Shared.Next(test.Count)]); local++; }
            Interlocked.Add(ref total, local);
        });
        Console.WriteLine($"parallel on {Environment.ProcessorCount} threads: {total / sw.Elapsed.TotalSeconds:F0} classifications/s");
        break;
    }
    case "seed":
    {
        var dir = Arg("data-dir");
        var cs = DataRegistration.SqliteConnectionString(new DatabaseOptions { DataDirectory = dir });
        var b = new DbContextOptionsBuilder<SqliteHaloDbContext>();
        DataRegistration.ConfigureSqlite(b, cs);
        await using var db = new SqliteHaloDbContext(b.Options);
        await db.Database.MigrateAsync();
        var (examples, _) = await EvalClassifierCommand.LoadExamplesAsync(Arg("data"), false, null, CancellationToken.None);
        // One raw type per category is enough: the store relabels through the taxonomy.
        var typeFor = new Dictionary<string, string>
        {
            ["traffic"] = "Trafikolycka", ["fire"] = "Brand", ["theft"] = "Stöld", ["violence"] = "Misshandel", ["drugs"] = "Narkotikabrott",
            ["weapons"] = "Skottlossning", ["robbery"] = "Rån", ["burglary"] = "Inbrott", ["vehicle_crime"] = "Motorfordon, stöld",
            ["vandalism"] = "Skadegörelse", ["disturbance"] = "Bråk", ["sexual_offence"] = "Våldtäkt", ["fraud"] = "Bedrägeri",
            ["suspicious_activity"] = "Kontroll person/fordon", [HaloTaxonomy.Other] = "Försvunnen person",
        };
        var i = 0;
        foreach (var (e, _) in examples.Where(x => x.Day <= new DateOnly(2024, 6, 30)))
        {
            db.Incidents.Add(new Incident
            {
                Id = Guid.NewGuid(), Source = IncidentSources.Polisen, ExternalId = $"bench{i++}", RawType = typeFor[e.Category],
                Category = e.Category, Title = $"1 januari 10:00, {typeFor[e.Category]}, Stockholm", Summary = e.Text,
                OccurredAt = e.At, PublishedAt = e.At, CreatedAt = e.At, UpdatedAt = e.At, IsIncident = true,
            });
        }
        await db.SaveChangesAsync();
        Console.WriteLine($"seeded {i} police events into {dir}");
        break;
    }
    default:
        Console.Error.WriteLine("usage: latency --data FILE [--n 20000] | seed --data FILE --data-dir DIR");
        return 2;
}
return 0;
