using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Halo.Api.Tests.Infrastructure.Cli;

namespace Halo.Api.Tests.Chaos;

/// <summary>
/// The built Halo.Api.dll (this test build's configuration) as its own process on a fixed port of 127.0.0.1, so it can
/// be killed with SIGKILL and started again at the same address over the same store.
/// </summary>
public sealed class ApiProcess : IAsyncDisposable
{
    private readonly Dictionary<string, string> _environment;
    private readonly StringBuilder _log = new();
    private Process? _process;

    /// <param name="environment">Settings as environment variables (<c>Database__Provider</c>, …) on top of the test defaults.</param>
    public ApiProcess(Dictionary<string, string> environment)
    {
        Port = FreePort();
        _environment = new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Testing",
            ["Database__SeedSample"] = "false",
            ["Ingestion__Polisen__Enabled"] = "false",
            ["Classification__TrainOnStart"] = "false",
            ["Predictions__TrainOnStart"] = "false",
            ["Training__DailyRetrainEnabled"] = "false",
            ["RateLimiting__Enabled"] = "false",
            ["Logging__LogLevel__Default"] = "Warning",
            ["Logging__LogLevel__Microsoft.EntityFrameworkCore"] = "Critical",
        };
        foreach (var (k, v) in environment) _environment[k] = v;
    }

    public int Port { get; }
    public Uri BaseAddress => new($"http://127.0.0.1:{Port}");

    /// <summary>What the process wrote to stdout and stderr, over every start.</summary>
    public string Log { get { lock (_log) return _log.ToString(); } }

    public static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    private static string AppDll()
    {
        var tfm = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        return Path.Combine(AppProcess.RepoRoot, "src", "Halo.Api", "bin", tfm.Parent!.Name, tfm.Name, "Halo.Api.dll");
    }

    /// <summary>Starts the process and waits until <c>/health</c> answers.</summary>
    public async Task StartAsync(TimeSpan? within = null)
    {
        if (_process is { HasExited: false }) throw new InvalidOperationException("Already running.");
        var dll = AppDll();
        var start = new ProcessStartInfo("dotnet", ["exec", dll, "--urls", BaseAddress.ToString().TrimEnd('/')])
        {
            WorkingDirectory = Path.GetDirectoryName(dll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("Secrets__", StringComparison.OrdinalIgnoreCase)
                     || k.StartsWith("ASPNETCORE_", StringComparison.OrdinalIgnoreCase) || k.StartsWith("DOTNET_ENVIRONMENT", StringComparison.OrdinalIgnoreCase)).ToList())
            start.Environment.Remove(key);
        foreach (var (k, v) in _environment) start.Environment[k] = v;
        var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (_log) _log.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_log) _log.AppendLine(e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;

        using var http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow + (within ?? TimeSpan.FromSeconds(90));
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited) throw new Xunit.Sdk.XunitException($"The API exited with {process.ExitCode} while starting.\n{Log}");
            try
            {
                if ((await http.GetAsync("/health")).StatusCode == HttpStatusCode.OK) return;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException) { }
            await Task.Delay(200);
        }
        throw new Xunit.Sdk.XunitException($"The API did not answer /health in time.\n{Log}");
    }

    /// <summary>SIGKILL: the process ends at once, with no shutdown, no flush and no answer to requests in flight.</summary>
    public async Task KillAsync()
    {
        if (_process is null) return;
        _process.Kill(entireProcessTree: false);
        await _process.WaitForExitAsync();
        _process.Dispose();
        _process = null;
    }

    public async ValueTask DisposeAsync() => await KillAsync();
}
