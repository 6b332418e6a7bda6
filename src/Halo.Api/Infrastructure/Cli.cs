namespace Halo.Api.Infrastructure;

/// <summary>A command of the app (<c>dotnet run --project src/Halo.Api -- NAME …</c>), run instead of the web server.</summary>
public interface ICliCommand
{
    string Name { get; }
    string Usage { get; }
    Task<int> RunAsync(string[] args, CancellationToken ct);
}

public static class Cli
{
    /// <summary>True when the first argument names a command rather than a host setting (<c>--urls …</c>).</summary>
    public static bool IsCommand(string[] args) => args.Length > 0 && !args[0].StartsWith('-') && !args[0].Contains('=');

    public static async Task<int> RunAsync(WebApplication app, string[] args)
    {
        using var scope = app.Services.CreateScope();
        var commands = scope.ServiceProvider.GetServices<ICliCommand>().ToList();
        var command = commands.FirstOrDefault(c => string.Equals(c.Name, args[0], StringComparison.OrdinalIgnoreCase));
        if (command is null)
        {
            await Console.Error.WriteLineAsync($"Unknown command '{args[0]}'. Commands:");
            foreach (var c in commands.OrderBy(c => c.Name)) await Console.Error.WriteLineAsync($"  {c.Usage}");
            return 2;
        }
        using var cts = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) => { e.Cancel = true; cts.Cancel(); };
        try
        {
            return await command.RunAsync(args[1..], cts.Token);
        }
        catch (CliUsageException ex)
        {
            await Console.Error.WriteLineAsync($"{ex.Message}\nUsage: {command.Usage}");
            return 2;
        }
    }
}

/// <summary>Thrown by a command for bad arguments; printed with the command's usage, exit code 2.</summary>
public sealed class CliUsageException(string message) : Exception(message);

/// <summary>Minimal <c>--name value</c> / <c>--flag</c> parser; positional arguments are kept in order.</summary>
public sealed class CliArgs
{
    private readonly Dictionary<string, string?> _named = new(StringComparer.OrdinalIgnoreCase);
    public List<string> Positional { get; } = [];

    public CliArgs(IEnumerable<string> args)
    {
        var list = args.ToList();
        for (var i = 0; i < list.Count; i++)
        {
            var a = list[i];
            if (a.StartsWith("--", StringComparison.Ordinal))
            {
                var eq = a.IndexOf('=');
                if (eq > 0) _named[a[2..eq]] = a[(eq + 1)..];
                else if (i + 1 < list.Count && !list[i + 1].StartsWith("--", StringComparison.Ordinal)) _named[a[2..]] = list[++i];
                else _named[a[2..]] = null;
            }
            else Positional.Add(a);
        }
    }

    public bool Has(string name) => _named.ContainsKey(name);
    public string? Get(string name) => _named.TryGetValue(name, out var v) ? v : null;
    public string Require(string name) => Get(name) ?? throw new CliUsageException($"--{name} is required.");
}
