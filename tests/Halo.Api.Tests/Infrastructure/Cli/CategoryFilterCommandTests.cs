using Halo.Api.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Halo.Api.Tests.Infrastructure.Cli;


/// <summary>CSV category filters and inline maps, through import csv and eval csv on the real host.</summary>
public sealed class CategoryFilterCommandTests : IClassFixture<SqliteApiFactory>, IDisposable
{
    // St. Louis style: the data set's own category words, none of them Halo's.
    private const string Csv = "id,when,category,lat,lon\n" +
        "1,2020-01-01 10:00,aggravated_assault,38.62,-90.19\n2,2020-01-02 10:00,larceny,38.63,-90.20\n" +
        "3,2020-01-03 10:00,larceny,38.64,-90.21\n4,2020-01-04 10:00,burglary,38.65,-90.22\n";

    private readonly SqliteApiFactory _app;
    private readonly string _dir = Directory.CreateTempSubdirectory("halo-filter-").FullName;
    private readonly StringWriter _out = new(), _err = new();

    public CategoryFilterCommandTests(SqliteApiFactory app)
    {
        _app = app;
        File.WriteAllText(Path.Combine(_dir, "stl.csv"), Csv);
    }

    private Task<int> RunAsync(params string[] args) => Program.Commands.InvokeAsync(_app.Services, args, _out, _err, workingDirectory: _dir);

    private static readonly string[] Columns = ["--id-col", "id", "--time-col", "when", "--lat-col", "lat", "--lon-col", "lon", "--category-col", "category"];

    [Fact]
    public async Task AHaloCategoryFilterThatMatchesNothingIsAnErrorNamingTheValuesSeen()
    {
        var code = await RunAsync(["eval", "csv", "stl.csv", .. Columns, "--category", "violence", "--start", "2020-01-03", "--end", "2020-01-05"]);

        Assert.Equal(2, code);
        var error = _err.ToString();
        Assert.Contains("--category violence matched no row", error);
        Assert.Contains("other (4)", error);
        Assert.Contains("larceny (2)", error);
        Assert.Contains("aggravated_assault (1)", error);
        Assert.Contains("--category-map", error);
    }

    [Fact]
    public async Task OnTheRealStLouisDataAHaloCategoryTheFileDoesNotUseIsRefusedWithTheFilesOwnCounts()
    {
        // What a new user typed: St. Louis' categories are its own words, so without a map no row is 'violence'.
        var code = await RunAsync(["eval", "csv", Halo.Api.Tests.Features.Ingestion.SharedData.CrimePath("stlouis_crimes_2015_2019.csv.gz"),
            "--id-col", "complaint", "--time-col", "occurred_at", "--time-zone", "America/Chicago", "--lat-col", "latitude", "--lon-col", "longitude",
            "--category-col", "category", "--category", "violence", "--start", "2019-07-01", "--end", "2019-08-01"]);

        Assert.Equal(2, code);
        var error = _err.ToString();
        Assert.Contains("--category violence matched no row", error);
        Assert.Contains("larceny (62,295)", error);
        Assert.Contains("aggravated_assault (13,155)", error);
        Assert.DoesNotContain("Backtest", _out.ToString());
    }

    [Fact]
    public async Task ARawCategoryFilterThatMatchesNothingIsAnErrorNamingTheValuesSeen()
    {
        var code = await RunAsync(["import", "csv", "stl.csv", .. Columns, "--raw-category", "aggravated_asault", "--source", "stl_typo"]);

        Assert.Equal(2, code);
        Assert.Contains("--raw-category aggravated_asault matched no row", _err.ToString());
        Assert.Contains("aggravated_assault (1), burglary (1)", _err.ToString().Replace("larceny (2), ", ""));
        Assert.Equal(0, await CountAsync("import:stl_typo"));
    }

    [Fact]
    public async Task RawCategoriesAreFilteredDirectlyAndInlineMapsGiveHaloCategories()
    {
        Assert.Equal(0, await RunAsync(["import", "csv", "stl.csv", .. Columns, "--raw-category", "larceny,aggravated_assault",
            "--category-map", "aggravated_assault=violence,larceny=theft", "--source", "stl"]));

        Assert.Contains("3 rows kept, 1 left out", _out.ToString());
        await using var scope = _app.Scope();
        var categories = await scope.ServiceProvider.GetRequiredService<HaloDbContext>().Incidents.Where(i => i.Source == "import:stl")
            .OrderBy(i => i.ExternalId).Select(i => i.Category).ToListAsync();
        Assert.Equal(["violence", "theft", "theft"], categories);

        // Filtering on the mapped Halo category keeps the mapped rows only.
        Assert.Equal(0, await RunAsync(["import", "csv", "stl.csv", .. Columns, "--category-map", "aggravated_assault=violence,larceny=theft",
            "--category", "violence", "--source", "stl_violence"]));
        Assert.Equal(1, await CountAsync("import:stl_violence"));
    }

    [Fact]
    public async Task ACategoryFilterKeepsRowsByTheDataSetsOwnValueWithoutAMap()
    {
        Assert.Equal(0, await RunAsync(["import", "csv", "stl.csv", .. Columns, "--category", "Aggravated_Assault,larceny", "--source", "stl_own"]));

        Assert.Contains("3 rows kept, 1 left out", _out.ToString());
        Assert.Equal(3, await CountAsync("import:stl_own"));
    }

    [Fact]
    public async Task EvalOnTheDataSetsOwnCategoryScoresOnlyThatCategory()
    {
        var code = await RunAsync(["eval", "csv", "stl.csv", .. Columns, "--category", "larceny", "--start", "2020-01-03", "--end", "2020-01-05"]);

        // Two larceny rows of four: the other categories are left out before any model sees them.
        Assert.Contains("2 rows kept, 2 left out", _out.ToString());
        Assert.Contains("Read 2 events", _out.ToString());
        Assert.Contains("1 events in the window, 1 before it", _out.ToString());
        Assert.True(code == 0, _err.ToString());
    }

    private async Task<int> CountAsync(string source)
    {
        await using var scope = _app.Scope();
        return await scope.ServiceProvider.GetRequiredService<HaloDbContext>().Incidents.CountAsync(i => i.Source == source);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
