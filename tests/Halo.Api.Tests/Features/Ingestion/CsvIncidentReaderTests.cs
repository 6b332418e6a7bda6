using System.Text;
using Halo.Api.Features.Ingestion.Csv;
using System.CommandLine;
using Halo.Api.Infrastructure;

namespace Halo.Api.Tests.Features.Ingestion;

public class CsvIncidentReaderTests
{
    /// <summary>The columns as <c>import csv</c> / <c>eval csv</c> parse them; a usage error throws.</summary>
    internal static CsvColumns Columns(params string[] args)
    {
        var options = new CsvColumnOptions();
        var command = new Command("csv");
        options.AddTo(command);
        var parse = command.Parse(args);
        if (parse.Errors.Count > 0) throw new CliUsageException(string.Join(" ", parse.Errors.Select(e => e.Message)));
        return options.Columns(parse, new CliContext(TextWriter.Null, TextWriter.Null, TextReader.Null, Directory.GetCurrentDirectory()));
    }

    private static async Task<List<CsvIncidentRecord>> ReadAsync(string csv, CsvColumns columns)
    {
        using var s = new MemoryStream(Encoding.UTF8.GetBytes(csv));
        return await CsvIncidentReader.ReadAsync(s, columns).ToListAsync();
    }

    [Fact]
    public async Task ReadsRealSanFranciscoRowsWithIdsAndUtcTimes()
    {
        var rows = await ReadAsync(
            "uid,offense_type,date_time,longitude,latitude\n24103841,personal robbery,2019-01-01T19:50:00Z,-122.402066,37.788721\n",
            Columns("--id-col", "uid", "--time-col", "date_time", "--lat-col", "latitude", "--lon-col", "longitude", "--category-col", "offense_type", "--default-category", "robbery"));
        var r = Assert.Single(rows);
        Assert.True(r.IsValid);
        Assert.Equal("24103841", r.ExternalId);
        Assert.Equal(new DateTime(2019, 1, 1, 19, 50, 0, DateTimeKind.Utc), r.OccurredAt);
        Assert.Equal(DateTimeKind.Utc, r.OccurredAt.Kind);
        Assert.Equal((37.788721, -122.402066), (r.Latitude, r.Longitude));
        Assert.Equal(("personal robbery", "robbery"), (r.RawCategory, r.Category));
    }

    [Fact]
    public async Task DateOnlyTimesAreReadInTheGivenZone()
    {
        var rows = await ReadAsync("incident_key,boro,occur_date,murder,longitude,latitude\n191709964,BROOKLYN,2019-01-01,TRUE,-73.86615527499998,40.66567568700003\n",
            Columns("--id-col", "incident_key", "--time-col", "occur_date", "--time-format", "yyyy-MM-dd", "--time-zone", "America/New_York", "--lat-col", "latitude", "--lon-col", "longitude"));
        Assert.Equal(new DateTime(2019, 1, 1, 5, 0, 0, DateTimeKind.Utc), Assert.Single(rows).OccurredAt);
        Assert.Equal("other", rows[0].Category);
    }

    [Fact]
    public async Task WithoutAnIdColumnTheIdIsAStableHashOfTheRow()
    {
        const string csv = "incident_no,offense_date,offense,longitude,latitude\n219027252,2017-05-25T00:00:00Z,BURGLARY,-84.4897306,39.1431856100598\n219027252,2017-05-25T00:00:00Z,BURGLARY,-84.4888106,39.1425956100598\n";
        var columns = Columns("--time-col", "offense_date", "--lat-col", "latitude", "--lon-col", "longitude");
        var first = await ReadAsync(csv, columns);
        var again = await ReadAsync(csv, columns);
        Assert.Equal(first.Select(r => r.ExternalId), again.Select(r => r.ExternalId));
        Assert.NotEqual(first[0].ExternalId, first[1].ExternalId); // same incident number, different positions
        Assert.Equal(32, first[0].ExternalId!.Length);
    }

    [Fact]
    public async Task QuotedFieldsMayHoldDelimitersQuotesAndLineBreaks()
    {
        var rows = await ReadAsync("id,when,what,lat,lon\n1,2020-01-01 10:00,\"Theft, \"\"bike\"\"\nat station\",59.3,18.0\n2,2020-01-02 11:00,plain,59.4,18.1\n",
            Columns("--id-col", "id", "--time-col", "when", "--lat-col", "lat", "--lon-col", "lon", "--category-col", "what"));
        Assert.Equal(2, rows.Count);
        Assert.Equal("Theft, \"bike\"\nat station", rows[0].RawCategory);
        Assert.Equal(4, rows[1].LineNumber);
    }

    [Fact]
    public async Task BadRowsAreRejectedOneByOne()
    {
        var rows = await ReadAsync(
            "id,when,lat,lon\n1,2020-01-01,NA,NA\n2,yesterday,59.3,18.0\n3,2020-01-01,0,0\n4,2020-01-01,95,18\n5,2020-01-01,59.3\n6,2020-01-01,59.3,18.0\n",
            Columns("--id-col", "id", "--time-col", "when", "--lat-col", "lat", "--lon-col", "lon"));
        Assert.Equal(6, rows.Count);
        Assert.Equal(["6"], rows.Where(r => r.IsValid).Select(r => r.ExternalId!));
        Assert.All(rows.Take(5), r => Assert.False(string.IsNullOrEmpty(r.RejectReason)));
    }

    [Fact]
    public async Task CategoryMapTranslatesRawValuesAndFallsBackToTheConstant()
    {
        var dir = Directory.CreateTempSubdirectory("halo-map-");
        try
        {
            var map = Path.Combine(dir.FullName, "map.json");
            await File.WriteAllTextAsync(map, """{"BURGLARY": "burglary", "Car theft": "vehicle_crime"}""");
            var rows = await ReadAsync("id,when,kind,lat,lon\n1,2020-01-01,burglary ,59.3,18\n2,2020-01-01,car THEFT,59.3,18\n3,2020-01-01,arson,59.3,18\n",
                Columns("--id-col", "id", "--time-col", "when", "--lat-col", "lat", "--lon-col", "lon", "--category-col", "kind", "--category-map", map, "--default-category", "fire"));
            Assert.Equal(["burglary", "vehicle_crime", "fire"], rows.Select(r => r.Category));

            var csvMap = Path.Combine(dir.FullName, "map.csv");
            await File.WriteAllTextAsync(csvMap, "raw,category\nBURGLARY,burglary\n\"Theft, other\",theft\n");
            Assert.Equal("theft", CsvColumns.LoadCategoryMap(csvMap)["theft, OTHER"]);

            var bad = Path.Combine(dir.FullName, "bad.json");
            await File.WriteAllTextAsync(bad, """{"x": "arson"}""");
            Assert.Throws<CliUsageException>(() => CsvColumns.LoadCategoryMap(bad));
        }
        finally { dir.Delete(recursive: true); }
    }

    [Theory]
    [InlineData("--lat-col", "lat", "--lon-col", "lon")]
    [InlineData("--time-col", "when", "--lat-col", "lat", "--lon-col", "lon", "--category", "arson")]
    [InlineData("--time-col", "when", "--lat-col", "lat", "--lon-col", "lon", "--time-zone", "Mars/Olympus")]
    [InlineData("--time-col", "when", "--lat-col", "lat", "--lon-col", "lon", "--default-category", "arson")]
    [InlineData("--time-col", "when", "--lat-col", "lat", "--lon-col", "lon", "--raw-category", "arson")]
    [InlineData("--time-col", "when", "--lat-col", "lat", "--lon-col", "lon", "--category-col", "k", "--category-map", "arson")]
    [InlineData("--time-col", "when", "--lat-col", "lat", "--lon-col", "lon", "--category-col", "k", "--category-map", "arson=flames")]
    public void BadOptionsAreUsageErrors(params string[] args) =>
        Assert.Throws<CliUsageException>(() => Columns(args));

    [Fact]
    public async Task AnInlineCategoryMapTranslatesRawValues()
    {
        var rows = await ReadAsync("id,when,kind,lat,lon\n1,2020-01-01,aggravated_assault,38.6,-90.2\n2,2020-01-01,LARCENY,38.6,-90.2\n3,2020-01-01,arson,38.6,-90.2\n",
            Columns("--id-col", "id", "--time-col", "when", "--lat-col", "lat", "--lon-col", "lon", "--category-col", "kind",
                "--category-map", "aggravated_assault=violence, larceny=theft"));
        Assert.Equal(["violence", "theft", "other"], rows.Select(r => r.Category));
    }

    [Fact]
    public async Task AnUnknownColumnIsAUsageError() =>
        await Assert.ThrowsAsync<CliUsageException>(() => ReadAsync("a,b,c\n1,2,3\n", Columns("--time-col", "when", "--lat-col", "b", "--lon-col", "c")));
}
