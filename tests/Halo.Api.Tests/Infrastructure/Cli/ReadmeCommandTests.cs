using System.Text.RegularExpressions;
using Halo.Api.Infrastructure;
using Microsoft.Data.Sqlite;

namespace Halo.Api.Tests.Infrastructure.Cli;


/// <summary>The README's command examples: every one parses, and the cheap ones run for real in their own process.</summary>
public sealed partial class ReadmeCommandTests : IDisposable
{
    private const string Prefix = "dotnet run --project src/Halo.Api -- ";
    private readonly string _dir = Directory.CreateTempSubdirectory("halo-readme-").FullName;

    /// <summary>Lines of the README's shell blocks that run the app with arguments (an <c>echo … |</c> in front allowed).</summary>
    private static List<string> ExampleLines()
    {
        var readme = File.ReadAllText(Path.Combine(AppProcess.RepoRoot, "README.md"));
        return [.. ShellBlock().Matches(readme).SelectMany(b => b.Groups[1].Value.Split('\n'))
            .Where(l => l.Contains(Prefix, StringComparison.Ordinal)).Select(l => l.Trim())];
    }

    public static TheoryData<string> Examples() => [.. ExampleLines()];

    private static string[] ArgsOf(string line)
    {
        var command = line[(line.IndexOf(Prefix, StringComparison.Ordinal) + Prefix.Length)..];
        var comment = command.IndexOf(" #", StringComparison.Ordinal);
        if (comment >= 0) command = command[..comment];
        return [.. Token().Matches(command).Select(m => m.Groups[1].Success ? m.Groups[1].Value : m.Value)];
    }

    [Fact]
    public void TheReadmeShowsTheCommandsAndTheirHelp()
    {
        var examples = ExampleLines();
        foreach (var name in new[] { "migrate", "users create-admin", "import polisen", "import csv", "eval csv", "eval polisen", "eval-classifier", "reports-retention", "--help" })
            Assert.Contains(examples, e => ArgsOf(e) is var a && string.Join(' ', a).Contains(name, StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Examples))]
    public void EveryReadmeExampleParses(string line)
    {
        var invocation = Program.Commands.Invocation(ArgsOf(line));
        Assert.Null(invocation.Error);
        Assert.All(invocation.HostArgs, a => Assert.Contains('=', a));
        if (!invocation.IsCommand) return;
        var parse = Program.Commands.Parse(new CliContext(TextWriter.Null, TextWriter.Null, TextReader.Null, _dir), invocation.CommandArgs!);
        Assert.True(parse.Errors.Count == 0, string.Join("; ", parse.Errors.Select(e => e.Message)));
    }

    [Fact]
    public async Task TheImportAndCreateAdminExamplesWriteWhereTheirSettingsSay()
    {
        var examples = ExampleLines();
        var import = examples.Single(e => e.Contains("-- import polisen events.json", StringComparison.Ordinal));
        var admin = examples.Single(e => e.Contains("-- users create-admin", StringComparison.Ordinal) && e.Contains("--password-stdin", StringComparison.Ordinal));
        var data = Path.Combine(_dir, "halo-data");
        string[] Args(string line) => [.. ArgsOf(line).Select(a => a.Replace("/tmp/halo-data", data, StringComparison.Ordinal))];
        // A tiny police file beside the command, named by a relative path as in the README.
        await File.WriteAllTextAsync(Path.Combine(_dir, "events.json"),
            "[" + string.Join(",", Halo.Api.Tests.Features.Ingestion.SharedData.PolisenEvents.Take(20).Select(e => e.GetRawText())) + "]");

        var imported = await AppProcess.RunAsync(Args(import), _dir);
        Assert.True(imported.ExitCode == 0, imported.Output + imported.Error);
        Assert.Contains($"into the SQLite store {Path.Combine(data, "halo.db")}", imported.Output);
        Assert.Contains("20 read", imported.Output);

        var created = await AppProcess.RunAsync(Args(admin), _dir, stdin: "correct-Horse-battery-9");
        Assert.True(created.ExitCode == 0, created.Output + created.Error);
        Assert.Contains($"in the SQLite store {Path.Combine(data, "halo.db")}", created.Output);

        await using var db = new SqliteConnection($"Data Source={Path.Combine(data, "halo.db")};Pooling=False");
        await db.OpenAsync();
        await using var query = db.CreateCommand();
        query.CommandText = "SELECT (SELECT COUNT(*) FROM incidents WHERE Source = 'polisen') || ',' || (SELECT Role FROM users WHERE Email = 'admin@example.org')";
        Assert.Equal("20,admin", (string?)await query.ExecuteScalarAsync());
        // Nothing went to the default store of the directory the commands ran in.
        Assert.False(Directory.Exists(Path.Combine(_dir, "data")));
    }

    [Fact]
    public async Task HelpNeedsNoHostAndNoSecrets()
    {
        var help = await AppProcess.RunAsync(["eval-classifier", "--help"], _dir);
        Assert.Equal(0, help.ExitCode);
        Assert.Contains("--train-end", help.Output);
        Assert.False(Directory.Exists(Path.Combine(_dir, "data")));
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [GeneratedRegex("```sh\\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex ShellBlock();

    [GeneratedRegex("\"([^\"]*)\"|\\S+")]
    private static partial Regex Token();
}
