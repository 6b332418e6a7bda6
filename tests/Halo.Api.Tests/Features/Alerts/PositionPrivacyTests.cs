using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using Halo.Api.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using static Halo.Api.Tests.Features.Reports.ReportTestHelpers;

namespace Halo.Api.Tests.Features.Alerts;

public sealed class PositionPrivacyTests
{
    [Fact]
    public async Task APostedPositionIsWrittenNeitherToTheStoreNorToTheLogs()
    {
        using var factory = new LogCapturingApiFactory(DbProvider.Sqlite);
        factory.With("Logging:LogLevel:Default", "Trace").With("Logging:LogLevel:Microsoft.EntityFrameworkCore.Database.Command", "Trace");
        var user = await factory.CreateUserAsync();
        var client = factory.CreateClientWithToken(user.AccessToken);
        var device = factory.CreateClient();
        const double lat = 59.3217891, lon = 18.0712347;
        var before = await RowCountsAsync(factory);

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await client.PostAsJsonAsync("/api/v1/me/position", new { latitude = lat, longitude = lon, accuracy_m = 5 })).StatusCode);
            var anonymous = new HttpRequestMessage(HttpMethod.Post, "/api/v1/me/position") { Content = JsonContent.Create(new { latitude = lat, longitude = lon }) };
            anonymous.Headers.Add("X-Device-Id", NewDevice());
            Assert.Equal(HttpStatusCode.OK, (await device.SendAsync(anonymous)).StatusCode);
        }
        // A bad one too: its error names the field, never the value.
        var bad = await client.PostAsJsonAsync("/api/v1/me/position", new { latitude = 123.4567891, longitude = lon });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.DoesNotContain("18.07123", await bad.Content.ReadAsStringAsync());

        Assert.Equal(before, await RowCountsAsync(factory));
        // Checkpoint the WAL so every page the app wrote is in the files scanned below, then look for the numbers in
        // every file of the data folder: as text and as the IEEE doubles SQLite stores (both byte orders).
        await factory.WithDb(db => db.Database.ExecuteSqlRawAsync("PRAGMA wal_checkpoint(TRUNCATE)"));
        SqliteConnection.ClearAllPools();
        var needles = new List<byte[]>();
        foreach (var v in new[] { lat, lon, 123.4567891 })
        {
            needles.Add(Encoding.ASCII.GetBytes(v.ToString("0.#####", CultureInfo.InvariantCulture)));
            var le = new byte[8];
            BinaryPrimitives.WriteDoubleLittleEndian(le, v);
            needles.Add(le);
            needles.Add(le.Reverse().ToArray());
        }
        foreach (var file in Directory.EnumerateFiles(factory.DataDirectory, "*", SearchOption.AllDirectories))
        {
            var bytes = File.ReadAllBytes(file);
            foreach (var needle in needles) Assert.True(bytes.AsSpan().IndexOf(needle) < 0, $"{Path.GetFileName(file)} holds a posted coordinate");
        }
        var logs = string.Join("\n", factory.Logs.Entries.Select(e => e.ToString()));
        Assert.NotEmpty(factory.Logs.Entries); // the capture works (requests were logged at Trace)
        foreach (var text in new[] { "59.32178", "18.07123", "123.45678" }) Assert.DoesNotContain(text, logs);
    }

    private static Task<Dictionary<string, long>> RowCountsAsync(HaloApiFactory factory) => factory.WithDb(async db =>
    {
        var conn = db.Database.GetDbConnection();
        await conn.OpenAsync();
        var tables = new List<string>();
        await using (var cmd = conn.CreateCommand())
        {
            cmd.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table'";
            await using var r = await cmd.ExecuteReaderAsync();
            while (await r.ReadAsync()) tables.Add(r.GetString(0));
        }
        var counts = new Dictionary<string, long>();
        foreach (var t in tables)
        {
            await using var cmd = conn.CreateCommand();
            cmd.CommandText = $"SELECT count(*) FROM \"{t}\"";
            counts[t] = (long)(await cmd.ExecuteScalarAsync())!;
        }
        return counts;
    });
}
