using System.CommandLine;
using System.Globalization;
using Halo.Api.Data;
using Halo.Api.Features.Auth;
using Halo.Api.Features.Backups;
using Halo.Api.Features.Classification;
using Halo.Api.Features.Ingestion;
using Halo.Api.Features.Predictions.Eval;
using Halo.Api.Features.Reports;
using Microsoft.EntityFrameworkCore;

namespace Halo.Api.Infrastructure;

/// <summary>
/// The process arguments split in two: host settings (<c>--Section:Key=value</c>, <c>--Section:Key value</c>,
/// <c>--urls …</c>) for <see cref="WebApplication.CreateBuilder(string[])"/>, and the rest for a command. The split is
/// done here, before the host's configuration sees anything, because its parser reads any <c>/word</c> as a switch and
/// takes the next argument as its value: a file path such as <c>/tmp/x.json</c> would swallow the setting after it.
/// </summary>
public sealed record CliInvocation(string[] HostArgs, string[]? CommandArgs, string WorkingDirectory, string? Error = null)
{
    /// <summary>
    /// Where relative paths given to a command are taken from. <c>dotnet run</c> starts the app in the project folder,
    /// so the project file passes the folder the command was typed in; otherwise it is the process's current directory.
    /// </summary>
    public const string WorkingDirectoryKey = "Cli:WorkingDirectory";

    /// <summary>Host settings without a section (ASP.NET Core's own); every other setting is written with its section.</summary>
    private static readonly HashSet<string> HostKeys = new(StringComparer.OrdinalIgnoreCase)
    {
        "urls", "http_ports", "https_ports", "environment", "contentRoot", "webroot", "applicationName", "AllowedHosts",
        "detailedErrors", "shutdownTimeoutSeconds", "hostingStartupAssemblies", "hostingStartupExcludeAssemblies", "preventHostingStartup",
    };

    public bool IsCommand => CommandArgs is not null;

    public static CliInvocation From(IReadOnlyList<string> args)
    {
        var host = new List<string>();
        var rest = new List<string>();
        string? workingDirectory = null, error = null;
        for (var i = 0; i < args.Count; i++)
        {
            var a = args[i];
            if (a == "--")
            {
                // Everything after "--" is the command's, untouched.
                rest.AddRange(args.Skip(i));
                break;
            }
            if (SettingName(a) is not { } name)
            {
                rest.Add(a);
                continue;
            }
            var eq = a.IndexOf('=', StringComparison.Ordinal);
            string value;
            if (eq > 0) value = a[(eq + 1)..];
            else if (i + 1 < args.Count) value = args[++i];
            else
            {
                error ??= $"The setting {a} needs a value: {a}=VALUE or {a} VALUE.";
                continue;
            }
            if (string.Equals(name, WorkingDirectoryKey, StringComparison.OrdinalIgnoreCase)) workingDirectory = value;
            host.Add($"--{name}={value}");
        }
        return new CliInvocation([.. host], rest.Count == 0 ? null : [.. rest],
            Path.GetFullPath(workingDirectory ?? Directory.GetCurrentDirectory()), error);
    }

    /// <summary>
    /// A setting is <c>--Section:Key</c>, a host key, or <c>--Name=value</c> where Name is no command's option (a whole
    /// section, as the test host passes them).
    /// </summary>
    private static string? SettingName(string arg)
    {
        if (!arg.StartsWith("--", StringComparison.Ordinal) || arg.Length < 3) return null;
        var eq = arg.IndexOf('=', StringComparison.Ordinal);
        var name = eq > 0 ? arg[2..eq] : arg[2..];
        if (Cli.OptionNames.Contains("--" + name)) return null;
        return name.Contains(':', StringComparison.Ordinal) || HostKeys.Contains(name) || eq > 0 ? name : null;
    }
}

/// <summary>What a command's action works with: the host's services (once built), its output, and its working directory.</summary>
public sealed class CliContext(TextWriter output, TextWriter error, TextReader input, string workingDirectory)
{
    // Synchronized: progress lines may come from a timer while the command writes.
    public TextWriter Out { get; } = TextWriter.Synchronized(output);
    public TextWriter Error { get; } = TextWriter.Synchronized(error);
    public TextReader In { get; } = input;
    public string WorkingDirectory { get; } = workingDirectory;

    /// <summary>Null while only parsing (help, usage errors): those never need the host.</summary>
    public IServiceProvider? Services { get; set; }

    /// <summary>The one rule for relative paths: from the directory the command was run in.</summary>
    public string FullPath(string path) => Path.GetFullPath(path, WorkingDirectory);

    /// <summary>Runs <typeparamref name="T"/> (built from the host's services) in its own scope.</summary>
    public async Task<int> RunAsync<T>(string name, Func<T, Task<int>> run) where T : class
    {
        var services = Services ?? throw new InvalidOperationException("The host is not built.");
        await using var scope = services.CreateAsyncScope();
        try
        {
            return await run(ActivatorUtilities.CreateInstance<T>(scope.ServiceProvider));
        }
        catch (CliUsageException ex)
        {
            await Error.WriteLineAsync($"{ex.Message}\nSee: {name} --help");
            return 2;
        }
        catch (ServerSecretException ex)
        {
            // Secrets are read when the work needs them, so an offline command never asks for the server's keys.
            await Error.WriteLineAsync(ex.Message);
            return ServerSecrets.MissingSecretsExitCode;
        }
    }
}

/// <summary>
/// The app's commands (<c>dotnet run --project src/Halo.Api -- NAME …</c>), run instead of the web server. Help and
/// usage errors are answered from the parse alone, before any host is built.
/// </summary>
public static class Cli
{
    private static readonly ParserConfiguration Parsing = new()
    {
        // "@file" is a path here, never a response file.
        ResponseFileTokenReplacer = null,
    };

    public static RootCommand Root(CliContext cli) =>
        new("Halo's commands, run instead of the web server: dotnet run --project src/Halo.Api -- COMMAND …\n" +
            "Host settings go anywhere on the line as --Section:Key=value or --Section:Key value, or in environment " +
            "variables Section__Key (docs/configuration.md lists them). Relative paths are from the current directory.")
        {
            MigrateCommand.Create(cli),
            UsersCommand.Create(cli),
            ImportCommand.Create(cli),
            EvalCommand.Create(cli),
            EvalClassifierCommand.Create(cli),
            ReportRetentionCommand.Create(cli),
            BackupCommands.Backup(cli),
            BackupCommands.Restore(cli),
        };

    public static ParseResult Parse(CliContext cli, IReadOnlyList<string> args) => Root(cli).Parse(args, Parsing);

    private static readonly Lazy<HashSet<string>> AllOptionNames = new(() =>
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        void Walk(Command c)
        {
            foreach (var o in c.Options)
            {
                names.Add(o.Name);
                names.UnionWith(o.Aliases);
            }
            foreach (var sub in c.Subcommands) Walk(sub);
        }
        Walk(Root(new CliContext(TextWriter.Null, TextWriter.Null, TextReader.Null, ".")));
        return names;
    });

    /// <summary>Every option name of every command (<c>--email</c>, <c>--time-col</c>, …).</summary>
    public static IReadOnlySet<string> OptionNames => AllOptionNames.Value;

    /// <summary>
    /// The exit code when the command line is answered without a host (help, a usage error, a bad setting), else null:
    /// then build the host and call <see cref="RunAsync(WebApplication, CliInvocation)"/>.
    /// </summary>
    public static int? AnswerWithoutHost(CliInvocation invocation, TextWriter? output = null, TextWriter? error = null)
    {
        output ??= Console.Out;
        error ??= Console.Error;
        if (invocation.Error is { } bad)
        {
            error.WriteLine(bad);
            return 2;
        }
        var parse = Parse(new CliContext(output, error, TextReader.Null, invocation.WorkingDirectory), invocation.CommandArgs ?? []);
        if (parse.Errors.Count == 0 && parse.Action is not null && ReferenceEquals(parse.Action, parse.CommandResult.Command.Action)) return null;
        var code = parse.Invoke(new InvocationConfiguration { Output = output, Error = error });
        return parse.Errors.Count > 0 ? 2 : code;
    }

    public static Task<int> RunAsync(WebApplication app, CliInvocation invocation) =>
        InvokeAsync(app.Services, invocation.CommandArgs ?? [], Console.Out, Console.Error, Console.In, invocation.WorkingDirectory);

    /// <summary>Parses and runs a command line against <paramref name="services"/> (the app's, or a test host's).</summary>
    public static async Task<int> InvokeAsync(IServiceProvider services, IReadOnlyList<string> args, TextWriter output, TextWriter error,
        TextReader? input = null, string? workingDirectory = null, CancellationToken ct = default)
    {
        var cli = new CliContext(output, error, input ?? TextReader.Null, workingDirectory ?? Directory.GetCurrentDirectory()) { Services = services };
        var parse = Parse(cli, args);
        var code = await parse.InvokeAsync(new InvocationConfiguration { Output = output, Error = error }, ct);
        return parse.Errors.Count > 0 ? 2 : code;
    }

    /// <summary>Which store a command wrote to, so a setting that did not arrive shows at once.</summary>
    public static string Describe(HaloDbContext db)
    {
        var connection = db.Database.GetDbConnection();
        return db.Database.IsSqlite()
            ? $"the SQLite store {Path.GetFullPath(connection.DataSource)}"
            : $"the PostgreSQL database {connection.Database} on {connection.DataSource}";
    }

    // Typed options shared by the commands.

    public static Option<int> IntOption(string name, string description, int defaultValue, int min, int max) => new(name)
    {
        Description = $"{description} ({min}–{max})",
        HelpName = "N",
        DefaultValueFactory = _ => defaultValue,
        Validators =
        {
            r =>
            {
                var v = r.GetValueOrDefault<int>();
                if (v < min || v > max) r.AddError($"{name} must be a whole number from {min} to {max}, got {v}.");
            },
        },
    };

    /// <summary>An optional whole number whose default comes from the host's settings (so it is only known when the command runs).</summary>
    public static Option<int?> IntOption(string name, string description, string defaultText, int min, int max) => new(name)
    {
        Description = $"{description} ({min}–{max}, default {defaultText})",
        HelpName = "N",
        Validators =
        {
            r =>
            {
                if (r.GetValueOrDefault<int?>() is { } v && (v < min || v > max)) r.AddError($"{name} must be a whole number from {min} to {max}, got {v}.");
            },
        },
    };

    public static Option<DateOnly> DateOption(string name, string description, bool required = true) => new(name)
    {
        Description = description + " (YYYY-MM-DD)",
        Required = required,
        HelpName = "YYYY-MM-DD",
        CustomParser = r =>
        {
            var s = r.Tokens.Count == 1 ? r.Tokens[0].Value : "";
            if (DateOnly.TryParseExact(s, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d)) return d;
            r.AddError($"{name} must be a date YYYY-MM-DD, got '{s}'.");
            return default;
        },
    };

    /// <summary>Comma-separated values, trimmed; the option may also be repeated.</summary>
    public static Option<string[]> ListOption(string name, string description, string helpName) => new(name)
    {
        Description = description,
        HelpName = helpName,
        AllowMultipleArgumentsPerToken = false,
        CustomParser = r => [.. r.Tokens.SelectMany(t => t.Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))],
    };

    public static Argument<string> FileArgument(string description) => new("FILE") { Description = description + " (relative paths are from the current directory)" };
}

/// <summary>Thrown by a command for bad arguments found once it runs; printed with a pointer to the command's help, exit code 2.</summary>
public sealed class CliUsageException(string message) : Exception(message);

/// <summary>Progress lines for a long step whose library gives none: the elapsed time at every tick of the given period.</summary>
public sealed class CliHeartbeat : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public CliHeartbeat(TextWriter output, string what, TimeSpan every)
    {
        var sw = System.Diagnostics.Stopwatch.StartNew();
        _loop = Task.Run(async () =>
        {
            using var timer = new PeriodicTimer(every);
            try
            {
                while (await timer.WaitForNextTickAsync(_stop.Token))
                    await output.WriteLineAsync($"  … {what} ({sw.Elapsed.TotalSeconds:F0} s)");
            }
            catch (OperationCanceledException) { }
        });
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }
}
