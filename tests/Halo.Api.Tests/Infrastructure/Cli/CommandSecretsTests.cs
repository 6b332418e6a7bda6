namespace Halo.Api.Tests.Infrastructure.Cli;

/// <summary>Offline commands in Production, where no secret is generated: they need none of the server's secrets.</summary>
public sealed class CommandSecretsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("halo-secrets-").FullName;

    private const string Csv = "id,when,category,lat,lon\n" +
        "1,2020-01-01 10:00,larceny,38.62,-90.19\n2,2020-01-02 10:00,larceny,38.63,-90.20\n";

    [Fact]
    public async Task ImportAndEvalRunInProductionWithoutTheServersSecrets()
    {
        await File.WriteAllTextAsync(Path.Combine(_dir, "stl.csv"), Csv);
        var data = Path.Combine(_dir, "store");
        string[] columns = ["--id-col", "id", "--time-col", "when", "--lat-col", "lat", "--lon-col", "lon", "--category-col", "category"];

        var import = await AppProcess.RunAsync(["import", "csv", "stl.csv", .. columns, "--source", "stl", $"--Database:DataDirectory={data}"],
            _dir, environment: "Production");
        Assert.True(import.ExitCode == 0, import.Output + import.Error);
        Assert.Contains("2 new", import.Output);
        Assert.DoesNotContain("Secrets:", import.Error);

        var eval = await AppProcess.RunAsync(["eval", "csv", "stl.csv", .. columns, "--category", "larceny", "--start", "2020-01-02", "--end", "2020-01-03",
            $"--Database:DataDirectory={data}"], _dir, environment: "Production");
        Assert.True(eval.ExitCode == 0, eval.Output + eval.Error);
        Assert.Contains("2 rows kept", eval.Output);
        Assert.DoesNotContain("Secrets:", eval.Error);

        // Nothing secret was generated either: Production never writes keys.
        Assert.False(Directory.Exists(Path.Combine(data, "keys")));
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
