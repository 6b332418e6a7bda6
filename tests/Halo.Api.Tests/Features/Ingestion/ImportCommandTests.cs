using Halo.Api.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

using Halo.Api.Tests.Infrastructure;

namespace Halo.Api.Tests.Features.Ingestion;

/// <summary>The documented one-line commands of docs/import.md, run against the real host over a temp SQLite file.</summary>
public sealed class ImportCommandTests : IDisposable
{
    private readonly HaloApiFactory _app = IngestionApi.Create();

    public ImportCommandTests() => _app.CreateClient().Dispose(); // start the host once

    private readonly StringWriter _output = new(), _errors = new();

    private Task<int> RunAsync(params string[] args) => Program.Commands.InvokeAsync(_app.Services, ["import", .. args], _output, _errors);

    private async Task<int> CountAsync(string source)
    {
        using var scope = _app.Services.CreateScope();
        return await scope.ServiceProvider.GetRequiredService<HaloDbContext>().Incidents.CountAsync(i => i.Source == source);
    }

    [Fact]
    public async Task CincinnatiImportsAndASecondRunAddsNothing()
    {
        string[] args = ["csv", SharedData.CrimePath("cincinnati_burglary.csv.gz"), "--time-col", "offense_date", "--lat-col", "latitude",
            "--lon-col", "longitude", "--category-col", "offense", "--default-category", "burglary", "--source", "cincinnati"];
        Assert.Equal(0, await RunAsync(args));
        var n = await CountAsync("import:cincinnati");
        Assert.InRange(n, 8_000, 8_723); // rows with NA positions are rejected, identical rows collapse
        Assert.Equal(0, await RunAsync(args));
        Assert.Equal(n, await CountAsync("import:cincinnati"));
    }

    [Fact]
    public async Task SanFranciscoAndNycImportWithTheirIdColumns()
    {
        Assert.Equal(0, await RunAsync("csv", SharedData.CrimePath("san_francisco_robbery.csv"), "--id-col", "uid", "--time-col", "date_time",
            "--lat-col", "latitude", "--lon-col", "longitude", "--category-col", "offense_type", "--default-category", "robbery", "--source", "san_francisco"));
        Assert.Equal(951, await CountAsync("import:san_francisco"));

        string[] nyc = ["csv", SharedData.CrimePath("nyc_shootings.csv"), "--id-col", "incident_key", "--time-col", "occur_date", "--time-format", "yyyy-MM-dd",
            "--time-zone", "America/New_York", "--lat-col", "latitude", "--lon-col", "longitude", "--default-category", "weapons", "--source", "nyc"];
        Assert.Equal(0, await RunAsync(nyc));
        Assert.Equal(0, await RunAsync(nyc));
        // One row per victim; the incident key groups them into one incident.
        Assert.Equal(File.ReadLines(SharedData.CrimePath("nyc_shootings.csv")).Skip(1).Select(l => l.Split(',')[0]).Distinct().Count(), await CountAsync("import:nyc"));
    }

    [Fact]
    public async Task PolisenFileImportsThroughTheSameCommand()
    {
        var path = Path.Combine(_app.DataDirectory, "events.json");
        await File.WriteAllTextAsync(path, "[" + string.Join(",", SharedData.PolisenEvents.Take(100).Select(e => e.GetRawText())) + "]");
        Assert.Equal(0, await RunAsync("polisen", path));
        Assert.Equal(0, await RunAsync("polisen", path));
        Assert.Equal(100, await CountAsync("polisen"));
    }

    [Fact]
    public async Task ATruncatedFileKeepsCommittedBatchesAndFailsClearly()
    {
        var path = Path.Combine(_app.DataDirectory, "truncated.json");
        var full = "[" + string.Join(",", SharedData.PolisenEvents.Take(30).Select(e => e.GetRawText())) + "]";
        await File.WriteAllTextAsync(path, full[..(full.Length * 2 / 3)]);
        Assert.Equal(1, await RunAsync("polisen", path, "--batch-size", "5"));
        Assert.InRange(await CountAsync("polisen"), 5, 20);
    }

    [Theory]
    [InlineData("xml", "file")]
    [InlineData("polisen", "/no/such/file.json")]
    [InlineData("polisen")]
    public async Task BadArgumentsAreUsageErrors(params string[] args)
    {
        Assert.Equal(2, await RunAsync(args));
        Assert.NotEqual("", _errors.ToString());
    }

    public void Dispose() => _app.Dispose();
}
