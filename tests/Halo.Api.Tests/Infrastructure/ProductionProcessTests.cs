using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Halo.Api.Infrastructure;
using static Halo.Api.Tests.Features.Reports.ReportTestHelpers;

namespace Halo.Api.Tests.Infrastructure;

/// <summary>
/// The built Halo.Api.dll as a real process in Production, configured exactly as README's Production section says
/// (its <c>export Secrets__…</c> lines), plus where to keep data and listen, and no outside feed or training.
/// </summary>
public sealed partial class ProductionProcessTests
{
    private static string RepoRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "Halo.slnx"))) return d.FullName;
        throw new InvalidOperationException("Halo.slnx not found above " + AppContext.BaseDirectory);
    }

    /// <summary>The secrets README's Production section exports.</summary>
    private static List<string> ReadmeSecrets()
    {
        var readme = File.ReadAllText(Path.Combine(RepoRoot(), "README.md"));
        var start = readme.IndexOf("\n## Production", StringComparison.Ordinal);
        Assert.True(start >= 0, "README has no Production section");
        var end = readme.IndexOf("\n## ", start + 1, StringComparison.Ordinal);
        var section = readme[start..(end < 0 ? readme.Length : end)];
        Assert.Contains("export ASPNETCORE_ENVIRONMENT=Production", section);
        return ExportedSecret().Matches(section).Select(m => m.Groups[1].Value).ToList();
    }

    [GeneratedRegex(@"^export Secrets__(\w+)=""\$\(openssl rand -base64 32\)""$", RegexOptions.Multiline)]
    private static partial Regex ExportedSecret();

    private static Dictionary<string, string> Environment(IEnumerable<string> secrets)
    {
        var env = new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["Database__SeedSample"] = "false",
            ["Ingestion__Polisen__Enabled"] = "false",
            ["Classification__TrainOnStart"] = "false",
            ["Predictions__TrainOnStart"] = "false",
            ["Predictions__DailyRetrainEnabled"] = "false",
        };
        // What `openssl rand -base64 32` prints.
        foreach (var name in secrets) env["Secrets__" + name] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        return env;
    }

    private sealed class AppProcess : IAsyncDisposable
    {
        private readonly Process _process;
        private readonly StringBuilder _stdout = new();
        private readonly StringBuilder _stderr = new();
        private readonly TaskCompletionSource<Uri> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public AppProcess(Dictionary<string, string> environment)
        {
            Directory.CreateDirectory(DataDirectory);
            var root = RepoRoot();
            // The same configuration as this test assembly (bin/<Configuration>/net10.0).
            var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;
            var bin = Path.Combine(root, "src", "Halo.Api", "bin", configuration, "net10.0");
            var start = new ProcessStartInfo("dotnet", [Path.Combine(bin, "Halo.Api.dll"), "--urls", "http://127.0.0.1:0"])
            {
                WorkingDirectory = bin,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("Secrets__", StringComparison.OrdinalIgnoreCase)
                         || k.StartsWith("ASPNETCORE_", StringComparison.OrdinalIgnoreCase) || k.StartsWith("DOTNET_ENVIRONMENT", StringComparison.OrdinalIgnoreCase)).ToList())
                start.Environment.Remove(key);
            foreach (var (k, v) in environment) start.Environment[k] = v;
            start.Environment["Database__DataDirectory"] = DataDirectory;
            _process = new Process { StartInfo = start };
            _process.OutputDataReceived += (_, e) =>
            {
                if (e.Data is null) return;
                lock (_stdout) _stdout.AppendLine(e.Data);
                if (Listening().Match(e.Data) is { Success: true } m) _listening.TrySetResult(new Uri(m.Groups[1].Value));
            };
            _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_stderr) _stderr.AppendLine(e.Data); };
            _process.Start();
            _process.BeginOutputReadLine();
            _process.BeginErrorReadLine();
        }

        public string DataDirectory { get; } = Path.Combine(Path.GetTempPath(), "halo-tests", Guid.NewGuid().ToString("N"));

        public string Stdout { get { lock (_stdout) return _stdout.ToString(); } }
        public string Stderr { get { lock (_stderr) return _stderr.ToString(); } }

        public async Task<Uri> ListeningAsync()
        {
            var exited = _process.WaitForExitAsync();
            var done = await Task.WhenAny(_listening.Task, exited, Task.Delay(TimeSpan.FromSeconds(90)));
            if (done != _listening.Task)
                throw new Xunit.Sdk.XunitException($"The app did not start listening (exited: {_process.HasExited}).\nstdout:\n{Stdout}\nstderr:\n{Stderr}");
            return await _listening.Task;
        }

        public async Task<int> ExitCodeAsync()
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
            await _process.WaitForExitAsync(timeout.Token);
            return _process.ExitCode;
        }

        public async ValueTask DisposeAsync()
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
            _process.Dispose();
            try { Directory.Delete(DataDirectory, recursive: true); } catch (IOException) { }
        }
    }

    [GeneratedRegex(@"Now listening on: (http://[^\s""]+)")]
    private static partial Regex Listening();

    [Fact]
    public void ReadmeProductionSectionListsEverySecretTheAppReads()
    {
        Assert.Equal(DeclaredSecrets.All().Select(s => s.Name).Order(), ReadmeSecrets().Order());
    }

    [Fact]
    public async Task StartedWithTheReadmeSettingsItIsReadyAndAcceptsAReport()
    {
        await using var app = new AppProcess(Environment(ReadmeSecrets()));
        using var http = new HttpClient { BaseAddress = await app.ListeningAsync() };

        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/health/ready")).StatusCode);
        var submit = await http.SubmitRaw(Body(NewDevice(), 59.33, 18.06, DateTime.UtcNow.AddMinutes(-10)));
        Assert.True(submit.StatusCode == HttpStatusCode.Created, $"{(int)submit.StatusCode}: {await submit.Content.ReadAsStringAsync()}\n{app.Stdout}");
        Assert.False(Directory.Exists(Path.Combine(app.DataDirectory, "keys")), "no key is generated in Production");
    }

    [Fact]
    public async Task ItLogsOneJsonObjectPerLineWithTheRequestAndTraceIds()
    {
        var env = Environment(ReadmeSecrets());
        env["Logging__LogLevel__Microsoft.AspNetCore.Hosting.Diagnostics"] = "Information";
        await using var app = new AppProcess(env);
        using var http = new HttpClient { BaseAddress = await app.ListeningAsync() };
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/health")).StatusCode);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        System.Text.Json.JsonElement? line = null;
        while (line is null && DateTime.UtcNow < deadline)
        {
            line = app.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)
                .Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement)
                .Where(j => j.GetProperty("Category").GetString() == "Microsoft.AspNetCore.Hosting.Diagnostics" && j.GetProperty("Message").GetString()!.Contains("/health", StringComparison.Ordinal))
                .Cast<System.Text.Json.JsonElement?>().FirstOrDefault();
            if (line is null) await Task.Delay(100);
        }
        Assert.True(line is not null, app.Stdout);
        var scopes = line.Value.GetProperty("Scopes").EnumerateArray().ToList();
        Assert.Contains(scopes, s => s.ValueKind == System.Text.Json.JsonValueKind.Object && s.TryGetProperty("RequestId", out _) && s.TryGetProperty("RequestPath", out _));
        Assert.Contains(scopes, s => s.ValueKind == System.Text.Json.JsonValueKind.Object && s.TryGetProperty("TraceId", out var t) && t.GetString()!.Length == 32);
        Assert.True(line.Value.TryGetProperty("Timestamp", out _));
    }

    [Fact]
    public async Task WithoutOneSecretItExitsNonZeroWithAMessageNamingIt()
    {
        // What the outside tester did: only the signing key.
        await using var app = new AppProcess(Environment(["JwtSigningKey"]));
        Assert.Equal(ServerSecrets.MissingSecretsExitCode, await app.ExitCodeAsync());
        Assert.Contains("Secrets:DeviceHashKey is not configured", app.Stderr);
        Assert.Contains("Secrets__DeviceHashKey=$(openssl rand -base64 32)", app.Stderr);
        Assert.DoesNotContain("JwtSigningKey", app.Stderr);
        Assert.DoesNotContain("Unhandled exception", app.Stderr);
        Assert.DoesNotContain("Now listening", app.Stdout);
    }

    [Fact]
    public async Task WithNoSecretsOneMessageNamesEveryMissingSecret()
    {
        await using var app = new AppProcess(Environment([]));
        Assert.Equal(ServerSecrets.MissingSecretsExitCode, await app.ExitCodeAsync());
        foreach (var secret in DeclaredSecrets.All())
            Assert.Contains($"Secrets:{secret.Name} is not configured", app.Stderr);
        Assert.Single(Regex.Matches(app.Stderr, "Halo cannot start"));
    }
}
