using System.Diagnostics;

namespace Halo.Api.Tests.Infrastructure.Cli;

/// <summary>The built app (src/Halo.Api/bin/…/Halo.Api) run as a person runs it: its own process, its own directory.</summary>
public static class AppProcess
{
    public static string RepoRoot { get; } = FindRepoRoot();

    private static string FindRepoRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "Halo.slnx"))) return d.FullName;
        throw new DirectoryNotFoundException("Halo.slnx not found above " + AppContext.BaseDirectory);
    }

    /// <summary>The app's build output of the same configuration as these tests (tests/…/bin/Release/net10.0 → src/Halo.Api/bin/Release/net10.0).</summary>
    private static string AppDll
    {
        get
        {
            var tfm = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
            return Path.Combine(RepoRoot, "src", "Halo.Api", "bin", tfm.Parent!.Name, tfm.Name, "Halo.Api.dll");
        }
    }

    public sealed record Result(int ExitCode, string Output, string Error);

    public static async Task<Result> RunAsync(IReadOnlyList<string> args, string workingDirectory, string? stdin = null,
        string environment = "Development")
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("exec");
        start.ArgumentList.Add(AppDll);
        foreach (var a in args) start.ArgumentList.Add(a);
        // As dotnet run starts it (launchSettings.json) unless told otherwise, with the framework's chatter turned down.
        start.Environment["ASPNETCORE_ENVIRONMENT"] = environment;
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("Secrets__", StringComparison.Ordinal)).ToList())
            start.Environment.Remove(name);
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        using var process = Process.Start(start)!;
        if (stdin is not null) await process.StandardInput.WriteLineAsync(stdin);
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return new Result(process.ExitCode, await output, await error);
    }
}
