using Halo.Api.Data;
using Halo.Api.Features.Geo;
using Halo.Api.Features.Incidents;
using Halo.Api.Features.Taxonomy;
using Microsoft.EntityFrameworkCore;

// Usage: Halo.Bench.Seed sqlite <data-dir> <count> [recent-per-day]  |  Halo.Bench.Seed postgres <connection-string> <count> [recent-per-day]
// Synthetic rows: 60 % in greater Stockholm (so a city bbox holds many), the rest spread over Sweden, all in 2024.
// Plus recent police events (default 8 a day over the last 8 days) in Greater Stockholm, where the report benchmark's
// reports fall: the polisen sample (2022–2024) has ~5.6 events a day for Stockholm and its neighbouring municipalities.
// Most are located to a municipality (precision 4 km), some to a street (300 m); citizen reports near them in time
// join them (cross-validation), so the benchmark exercises that path too.
if (args.Length is < 3 or > 4) { Console.Error.WriteLine("usage: sqlite|postgres <data-dir|connection-string> <count> [recent-per-day]"); return 2; }
var count = int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture);
var recentPerDay = args.Length == 4 ? int.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture) : 8;
HaloDbContext db;
if (args[0] == "postgres")
{
    var o = new DbContextOptionsBuilder<PostgresHaloDbContext>();
    DataRegistration.ConfigurePostgres(o, args[1]);
    db = new PostgresHaloDbContext(o.Options);
}
else
{
    var o = new DbContextOptionsBuilder<SqliteHaloDbContext>();
    DataRegistration.ConfigureSqlite(o, DataRegistration.SqliteConnectionString(new DatabaseOptions { DataDirectory = args[1] }));
    db = new SqliteHaloDbContext(o.Options);
}
await db.Database.MigrateAsync();
db.ChangeTracker.AutoDetectChangesEnabled = false;
var rng = new Random(2024);
var categories = HaloTaxonomy.Categories;
var start = new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc);
for (var done = 0; done < count;)
{
    var n = Math.Min(5000, count - done);
    for (var k = 0; k < n; k++)
    {
        var city = rng.NextDouble() < 0.6;
        var lat = city ? 59.25 + rng.NextDouble() * 0.2 : 55.4 + rng.NextDouble() * 13.5;
        var lon = city ? 17.90 + rng.NextDouble() * 0.3 : 11.2 + rng.NextDouble() * 12.5;
        var cat = categories[rng.Next(categories.Count)];
        var t = start.AddMinutes(rng.Next(0, 60 * 24 * 365));
        db.Incidents.Add(Row("import:bench", $"b{done + k}", "synthetic benchmark row", cat, lat, lon, t, t, 50));
    }
    await db.SaveChangesAsync();
    db.ChangeTracker.Clear();
    done += n;
}
var now = DateTime.UtcNow;
for (var k = 0; k < recentPerDay * 8; k++)
{
    var lat = 59.20 + rng.NextDouble() * 0.25;
    var lon = 17.75 + rng.NextDouble() * 0.50;
    var cat = categories[rng.Next(categories.Count)];
    var t = now.AddMinutes(-rng.Next(0, 60 * 24 * 8));
    db.Incidents.Add(Row(IncidentSources.Polisen, $"recent{k}", "synthetic recent police event", cat, lat, lon, t, t.AddMinutes(30),
        rng.NextDouble() < 0.7 ? 4_000 : 300));
}
await db.SaveChangesAsync();
// Fresh statistics, as autovacuum (PostgreSQL) would gather after a bulk load.
await db.Database.ExecuteSqlRawAsync("ANALYZE");
Console.WriteLine($"seeded {count} incidents and {recentPerDay * 8} recent police events");
return 0;

static Incident Row(string source, string externalId, string summary, HaloCategory cat, double lat, double lon, DateTime t, DateTime published,
    double precisionM) => new()
{
    Id = Guid.NewGuid(), Source = source, ExternalId = externalId, RawType = cat.Code,
    Category = cat.Code, Severity = cat.DefaultSeverity, Title = cat.NameEn, Summary = summary,
    OccurredAt = t, PublishedAt = published, Latitude = lat, Longitude = lon, LocationPrecisionM = precisionM,
    H3Res9 = GeoCells.Cell(lat, lon, 9), H3Res7 = GeoCells.Cell(lat, lon, 7),
    Status = IncidentStatus.Active, IsVerified = true, CreatedAt = t, UpdatedAt = t,
};
