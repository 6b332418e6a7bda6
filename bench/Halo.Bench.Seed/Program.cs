using Halo.Api.Data;
using Halo.Api.Features.Geo;
using Halo.Api.Features.Incidents;
using Halo.Api.Features.Taxonomy;
using Microsoft.EntityFrameworkCore;

// Usage: Halo.Bench.Seed sqlite <data-dir> <count>  |  Halo.Bench.Seed postgres <connection-string> <count>
// Synthetic rows: 60 % in greater Stockholm (so a city bbox holds many), the rest spread over Sweden.
if (args.Length != 3) { Console.Error.WriteLine("usage: sqlite|postgres <data-dir|connection-string> <count>"); return 2; }
var count = int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture);
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
        db.Incidents.Add(new Incident
        {
            Id = Guid.NewGuid(), Source = "import:bench", ExternalId = $"b{done + k}", RawType = cat.Code,
            Category = cat.Code, Severity = cat.DefaultSeverity, Title = cat.NameEn, Summary = "synthetic benchmark row",
            OccurredAt = t, PublishedAt = t, Latitude = lat, Longitude = lon, LocationPrecisionM = 50,
            H3Res9 = GeoCells.Cell(lat, lon, 9), H3Res7 = GeoCells.Cell(lat, lon, 7),
            Status = IncidentStatus.Active, IsVerified = true, CreatedAt = t, UpdatedAt = t,
        });
    }
    await db.SaveChangesAsync();
    db.ChangeTracker.Clear();
    done += n;
}
// Fresh statistics, as autovacuum (PostgreSQL) would gather after a bulk load.
await db.Database.ExecuteSqlRawAsync("ANALYZE");
Console.WriteLine($"seeded {count} incidents");
return 0;
