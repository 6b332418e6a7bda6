using System.CommandLine;
using Halo.Api.Infrastructure;
using Microsoft.Extensions.Configuration;

namespace Halo.Api.Tests.Infrastructure.Cli;


/// <summary>How a command line is split between the host's settings and the command, and parsed (no host involved).</summary>
public sealed class CliParsingTests
{
    private static readonly CliContext Parsing = new(TextWriter.Null, TextWriter.Null, TextReader.Null, "/work");

    /// <summary>One command line of every command, each with a path argument where it takes one.</summary>
    public static TheoryData<string, string[]> EveryCommand => new()
    {
        { "migrate", ["migrate"] },
        { "users create-admin", ["users", "create-admin", "--email", "a@example.org", "--password-stdin"] },
        { "import polisen", ["import", "polisen", "/tmp/x.json"] },
        { "import csv", ["import", "csv", "/tmp/x.csv", "--time-col", "t", "--lat-col", "la", "--lon-col", "lo"] },
        { "eval csv", ["eval", "csv", "/tmp/x.csv", "--time-col", "t", "--lat-col", "la", "--lon-col", "lo", "--start", "2020-01-01", "--end", "2020-02-01"] },
        { "eval polisen", ["eval", "polisen", "/tmp/x.json", "--start", "2020-01-01", "--end", "2020-02-01"] },
        { "eval-classifier", ["eval-classifier", "--data", "/tmp/x.json", "--train-end", "2024-06-30", "--test-start", "2024-07-01", "--test-end", "2024-12-31", "--out", "/tmp/o.json"] },
        { "reports-retention", ["reports-retention"] },
        { "backup", ["backup", "/tmp/x.tar.gz"] },
        { "restore", ["restore", "/tmp/x.tar.gz"] },
    };

    [Theory]
    [MemberData(nameof(EveryCommand))]
    public void SettingsAfterAPathArgumentReachTheHostAndOnlyThey(string name, string[] command)
    {
        string[] args = [.. command, "--Database:DataDirectory=/tmp/d", "--Logging:LogLevel:Default", "Warning"];

        var invocation = Program.Commands.Invocation(args);

        // What WebApplication.CreateBuilder gets for a command: the settings, nothing else.
        Assert.Equal(["--Database:DataDirectory=/tmp/d", "--Logging:LogLevel:Default=Warning"], invocation.HostArgs);
        Assert.Equal(command, invocation.CommandArgs);
        var host = new ConfigurationBuilder().AddCommandLine(invocation.HostArgs).Build();
        Assert.Equal("/tmp/d", host["Database:DataDirectory"]);
        Assert.Equal("Warning", host["Logging:LogLevel:Default"]);
        var parse = Program.Commands.Parse(Parsing, invocation.CommandArgs!);
        Assert.True(parse.Errors.Count == 0, name + ": " + string.Join("; ", parse.Errors.Select(e => e.Message)));
        Assert.Equal(name, string.Join(' ', parse.CommandResult.Command.Parents.OfType<Command>().Where(c => c is not RootCommand)
            .Reverse().Select(c => c.Name).Append(parse.CommandResult.Command.Name)));
    }

    [Fact]
    public void WithoutTheSplitTheHostsParserLetsAPathSwallowTheSetting()
    {
        // Why the split exists: the configuration parser reads "/tmp/x.json" as a switch whose value is the next argument.
        var raw = new ConfigurationBuilder().AddCommandLine(["import", "polisen", "/tmp/x.json", "--Database:DataDirectory=/tmp/d"]).Build();
        Assert.Null(raw["Database:DataDirectory"]);
    }

    [Fact]
    public void PasswordStdinNeverTakesTheNextArgumentAsItsValue()
    {
        var invocation = Program.Commands.Invocation(["users", "create-admin", "--email", "a@example.org", "--password-stdin", "--Database:DataDirectory", "/srv/x"]);
        Assert.Equal(["--Database:DataDirectory=/srv/x"], invocation.HostArgs);
        var parse = Program.Commands.Parse(Parsing, invocation.CommandArgs!);
        Assert.Empty(parse.Errors);
        Assert.True(parse.GetValue<bool>("--password-stdin"));

        // A flag is a flag even when a stray word follows it: that word is an error, not a password source.
        Assert.NotEmpty(Program.Commands.Parse(Parsing, ["users", "create-admin", "--email", "a@example.org", "--password-stdin", "true"]).Errors);
    }

    [Fact]
    public void HostKeysAndWholeSectionsAreSettingsButCommandOptionsStayWithTheCommand()
    {
        var invocation = Program.Commands.Invocation(["--urls", "http://127.0.0.1:5622", "import", "csv", "f.csv", "--time-col=when", "--RateLimiting=", "--lat-col", "a", "--lon-col", "b"]);
        Assert.Equal(["--urls=http://127.0.0.1:5622", "--RateLimiting="], invocation.HostArgs);
        Assert.Equal(["import", "csv", "f.csv", "--time-col=when", "--lat-col", "a", "--lon-col", "b"], invocation.CommandArgs!);

        var server = Program.Commands.Invocation(["--urls", "http://127.0.0.1:5622"]);
        Assert.False(server.IsCommand);
        Assert.Equal(2, Program.Commands.AnswerWithoutHost(Program.Commands.Invocation(["migrate", "--Database:Provider"]), TextWriter.Null, TextWriter.Null));
    }

    [Fact]
    public void RelativePathsAreFromTheDirectoryTheCommandWasRunIn()
    {
        var invocation = Program.Commands.Invocation(["--Cli:WorkingDirectory=/home/ann/halo", "import", "polisen", "data/x.json"]);
        Assert.Equal("/home/ann/halo", invocation.WorkingDirectory);
        var cli = new CliContext(TextWriter.Null, TextWriter.Null, TextReader.Null, invocation.WorkingDirectory);
        Assert.Equal("/home/ann/halo/data/x.json", cli.FullPath("data/x.json"));
        Assert.Equal("/abs/x.json", cli.FullPath("/abs/x.json"));
        Assert.Equal(Directory.GetCurrentDirectory(), Program.Commands.Invocation(["migrate"]).WorkingDirectory);
    }

    public static TheoryData<string> EveryCommandPath()
    {
        var data = new TheoryData<string>();
        void Walk(Command c, string prefix)
        {
            foreach (var sub in c.Subcommands)
            {
                var path = (prefix + " " + sub.Name).Trim();
                data.Add(path);
                Walk(sub, path);
            }
        }
        Walk(Program.Commands.Root(Parsing), "");
        return data;
    }

    [Theory]
    [MemberData(nameof(EveryCommandPath))]
    public void EveryCommandAnswersHelpWithoutAHost(string path)
    {
        var output = new StringWriter();
        var code = Program.Commands.AnswerWithoutHost(Program.Commands.Invocation([.. path.Split(' '), "--help"]), output, TextWriter.Null);
        Assert.Equal(0, code);
        Assert.Contains("Usage:", output.ToString());
        Assert.Contains(path.Split(' ')[^1], output.ToString());
    }

    [Theory]
    [InlineData("nosuch")]
    [InlineData("import", "polisen")]
    [InlineData("import", "xml", "f")]
    [InlineData("eval-classifier", "--data", "x", "--train-end", "2024-13-01", "--test-start", "2024-07-01", "--test-end", "2024-12-31", "--out", "o")]
    [InlineData("import", "polisen", "x.json", "--batch-size", "0")]
    [InlineData("import", "csv", "x.csv", "--time-col", "t", "--lat-col", "a", "--lon-col", "b", "--category", "aggravated_assault")]
    [InlineData("users", "create-admin", "--email", "not-an-address")]
    public void UsageErrorsAreAnsweredWithoutAHost(params string[] args)
    {
        var error = new StringWriter();
        Assert.Equal(2, Program.Commands.AnswerWithoutHost(Program.Commands.Invocation(args), TextWriter.Null, error));
        Assert.NotEqual("", error.ToString());
    }

    [Fact]
    public void ACategoryThatIsNotHalosNeedsTheDataSetsCategoryColumn()
    {
        string[] args = ["eval", "csv", "x.csv", "--time-col", "t", "--lat-col", "a", "--lon-col", "b",
            "--start", "2020-01-01", "--end", "2020-02-01", "--category", "aggravated_assault"];
        var error = new StringWriter();
        Assert.Equal(2, Program.Commands.AnswerWithoutHost(Program.Commands.Invocation(args), TextWriter.Null, error));
        Assert.Contains("--category-col", error.ToString());

        // With the column named, the data set's own value is a filter like a Halo category.
        Assert.Empty(Program.Commands.Parse(Parsing, [.. args, "--category-col", "category"]).Errors);
    }
}
