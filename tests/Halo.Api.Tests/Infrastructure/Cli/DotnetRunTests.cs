using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Halo.Api.Tests.Infrastructure.Cli;

/// <summary>
/// <c>dotnet run --project src/Halo.Api</c> as the README says to choose the port: the launch profile sets no address,
/// so <c>ASPNETCORE_URLS</c> and <c>--urls</c> decide where the server listens.
/// </summary>
public sealed class DotnetRunTests : IDisposable
{
    private readonly string _data = Directory.CreateTempSubdirectory("halo-run-").FullName;

    [Fact]
    public async Task DotnetRunListensWhereAspnetcoreUrlsSays()
    {
        var url = $"http://127.0.0.1:{FreePort()}";
        var output = await RunUntilListeningAsync([], new() { ["ASPNETCORE_URLS"] = url });
        Assert.Contains($"Now listening on: {url}", output);
    }

    [Fact]
    public async Task DotnetRunListensWhereUrlsSays()
    {
        var url = $"http://127.0.0.1:{FreePort()}";
        var output = await RunUntilListeningAsync(["--", "--urls", url], []);
        Assert.Contains($"Now listening on: {url}", output);
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    private async Task<string> RunUntilListeningAsync(string[] args, Dictionary<string, string> environment)
    {
        // The same configuration as this test assembly, already built: dotnet run with its launch profile, not a rebuild.
        var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = AppProcess.RepoRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in (string[])["run", "--no-build", "-c", configuration, "--project", "src/Halo.Api", .. args]) start.ArgumentList.Add(a);
        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("ASPNETCORE_", StringComparison.OrdinalIgnoreCase)).ToList())
            start.Environment.Remove(key);
        start.Environment["Database__DataDirectory"] = _data;
        start.Environment["Database__SeedSample"] = "false";
        start.Environment["Ingestion__Polisen__Enabled"] = "false";
        start.Environment["Classification__TrainOnStart"] = "false";
        start.Environment["Predictions__TrainOnStart"] = "false";
        start.Environment["Training__DailyRetrainEnabled"] = "false";
        foreach (var (k, v) in environment) start.Environment[k] = v;

        var output = new StringBuilder();
        var listening = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var process = new Process { StartInfo = start };
        void Read(DataReceivedEventArgs e)
        {
            if (e.Data is null) return;
            lock (output) output.AppendLine(e.Data);
            if (e.Data.Contains("Now listening on:", StringComparison.Ordinal)) listening.TrySetResult();
        }
        process.OutputDataReceived += (_, e) => Read(e);
        process.ErrorDataReceived += (_, e) => Read(e);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            var done = await Task.WhenAny(listening.Task, process.WaitForExitAsync(), Task.Delay(TimeSpan.FromSeconds(120)));
            lock (output) Assert.True(done == listening.Task, "dotnet run did not start listening:\n" + output);
            lock (output) return output.ToString();
        }
        finally
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    public void Dispose()
    {
        try { Directory.Delete(_data, recursive: true); } catch (IOException) { }
    }
}
