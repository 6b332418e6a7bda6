using System.Diagnostics;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Halo.Api.Tests.Infrastructure;
using AppProcess = Halo.Api.Tests.Infrastructure.Cli.AppProcess;

namespace Halo.Api.Tests.Deploy;

/// <summary>
/// docs/deploy.md run here: the app published (<c>dotnet publish</c>, Release) into a temp folder, the environment file
/// made from deploy/halo.env.example, the `migrate` command, two instances started exactly as deploy/halo@.service
/// starts them (its ExecStart, Environment and EnvironmentFile), and nginx (the Debian package, as this user's process)
/// with deploy/nginx/halo.conf and a self-signed certificate made with openssl. Only the paths and ports the files name
/// (/opt/halo, /etc/halo, /var/lib/halo, 5001/5002, 443/80, the certificate) are replaced. One publish per test class.
/// </summary>
public sealed class DeployRecipe : IAsyncLifetime
{
    /// <summary>Why the recipe cannot run here (no nginx), or null. ./test.sh installs nginx (scripts/services.sh).</summary>
    public static string? Unavailable { get; } = FindNginx() is null
        ? "nginx is not installed (Debian package `nginx`; ./test.sh installs it): the deployment recipe (docs/deploy.md) needs it."
        : null;

    public static string DeployFolder => Path.Combine(AppProcess.RepoRoot, "deploy");
    public static string UnitFile => Path.Combine(DeployFolder, "halo@.service");
    public static string EnvExample => Path.Combine(DeployFolder, "halo.env.example");
    public static string NginxSite => Path.Combine(DeployFolder, "nginx", "halo.conf");

    private readonly string _root = Path.Combine(Path.GetTempPath(), "halo-tests", "deploy-" + Guid.NewGuid().ToString("N")[..10]);
    private readonly string _database = "halo_deploy_" + Guid.NewGuid().ToString("N")[..10];
    private readonly Dictionary<int, RecipeProcess> _instances = [];
    private RecipeProcess? _nginx;
    private bool _databaseCreated;

    public string AppDirectory => Path.Combine(_root, "opt", "halo");
    public string EtcDirectory => Path.Combine(_root, "etc", "halo");
    public string DataDirectory => Path.Combine(_root, "var", "lib", "halo");
    public string SystemdDirectory => Path.Combine(_root, "systemd");
    public string NginxPrefix => Path.Combine(_root, "nginx");
    public string AccessLog => Path.Combine(NginxPrefix, "access.log");
    /// <summary>
    /// The site's <c>fail_timeout</c>: an instance nginx failed to reach gets no requests for this long, even once it is
    /// ready again (open-source nginx has no active health checks). A roll waits it out before the next instance.
    /// </summary>
    public static TimeSpan FailTimeout => TimeSpan.FromSeconds(int.Parse(
        System.Text.RegularExpressions.Regex.Match(File.ReadAllText(NginxSite), @"fail_timeout=(\d+)s").Groups[1].Value,
        System.Globalization.CultureInfo.InvariantCulture));

    private string ErrorLogFile => Path.Combine(NginxPrefix, "error.log");
    /// <summary>nginx's own errors (an upstream it could not reach says why here).</summary>
    public string ErrorLog => ReadOrEmpty(ErrorLogFile);
    public string RenderedUnit => Path.Combine(SystemdDirectory, "halo@.service");

    public int PortA { get; } = FreePort();
    public int PortB { get; } = FreePort();
    public int HttpsPort { get; } = FreePort();
    public int HttpPort { get; } = FreePort();
    public Uri Public => new($"https://127.0.0.1:{HttpsPort}");
    public X509Certificate2 Certificate { get; private set; } = null!;
    public string ConnectionString { get; private set; } = "";

    /// <summary>The settings every instance gets: the unit's Environment= lines, then its EnvironmentFile.</summary>
    public Dictionary<string, string> Environment { get; private set; } = [];

    public async Task InitializeAsync()
    {
        if (Unavailable is not null) return;
        Directory.CreateDirectory(_root);
        await PublishAsync();
        Certificate = await MakeCertificateAsync();
        ConnectionString = PostgresTestServer.CreateDatabase(_database);
        _databaseCreated = true;
        WriteEnvironmentFile();
        RenderUnit();
        Environment = UnitEnvironment();

        // Upgrades and first installs alike: migrate first, then start the instances (docs/deploy.md).
        var (program, args) = ExecStart(port: null);
        await using (var migrate = RecipeProcess.Start(program, [.. args, "migrate"], Environment, AppDirectory))
        {
            var code = await migrate.ExitCodeAsync(TimeSpan.FromMinutes(3));
            if (code != 0) throw new InvalidOperationException($"`migrate` exited {code}:\n{migrate.Output}");
        }
        await Task.WhenAll(StartInstanceAsync(PortA), StartInstanceAsync(PortB));
        await StartNginxAsync();
    }

    private static async Task<string> RunAsync(string program, IEnumerable<string> args, TimeSpan limit, string? workingDirectory = null)
    {
        await using var p = RecipeProcess.Start(program, args, null, workingDirectory ?? Path.GetTempPath());
        var code = await p.ExitCodeAsync(limit);
        if (code != 0) throw new InvalidOperationException($"{program} {string.Join(' ', args)} exited {code}:\n{p.Output}");
        return p.Output;
    }

    /// <summary>The operator's `dotnet publish`, of what this test run built (same configuration, no second build).</summary>
    private async Task PublishAsync()
    {
        var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;
        var project = Path.Combine(AppProcess.RepoRoot, "src", "Halo.Api", "Halo.Api.csproj");
        await RunAsync(Dotnet, ["publish", project, "-c", configuration, "-o", AppDirectory, "--no-build", "-nologo"], TimeSpan.FromMinutes(10));
        if (!File.Exists(Path.Combine(AppDirectory, "Halo.Api.dll"))) throw new InvalidOperationException("publish wrote no Halo.Api.dll");
    }

    private async Task<X509Certificate2> MakeCertificateAsync()
    {
        var tls = Path.Combine(_root, "tls");
        Directory.CreateDirectory(tls);
        await RunAsync("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", Path.Combine(tls, "privkey.pem"), "-out", Path.Combine(tls, "fullchain.pem"), "-days", "2",
            "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"], TimeSpan.FromMinutes(1));
        return X509Certificate2.CreateFromPem(File.ReadAllText(Path.Combine(tls, "fullchain.pem")));
    }

    /// <summary>
    /// /etc/halo/halo.env from the example: fresh secrets, this test's database and Redis, plus what this test turns off
    /// (no sample seeding or training at start, no police poller: nothing here may call out or load the machine).
    /// </summary>
    private void WriteEnvironmentFile()
    {
        var lines = new List<string>();
        foreach (var line in File.ReadAllLines(EnvExample))
        {
            if (line.StartsWith("Secrets__", StringComparison.Ordinal) && line.EndsWith('='))
                lines.Add(line + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
            else if (line.StartsWith("Database__ConnectionString=", StringComparison.Ordinal))
                lines.Add("Database__ConnectionString=" + ConnectionString);
            else if (line.StartsWith("Redis__ConnectionString=", StringComparison.Ordinal))
                lines.Add("Redis__ConnectionString=" + Redis);
            else lines.Add(line);
        }
        lines.AddRange([
            "# Test only:",
            "Redis__Prefix=halo-deploy-" + Guid.NewGuid().ToString("N")[..8],
            "Database__SeedSample=false",
            "Ingestion__Polisen__Enabled=false",
            "Classification__TrainOnStart=false",
            "Predictions__TrainOnStart=false",
            "Training__DailyRetrainEnabled=false",
            "Logging__LogLevel__Default=Warning",
        ]);
        Directory.CreateDirectory(EtcDirectory);
        File.WriteAllLines(Path.Combine(EtcDirectory, "halo.env"), lines);
    }

    private static string Redis => System.Environment.GetEnvironmentVariable("HALO_TEST_REDIS")
        ?? throw new InvalidOperationException("HALO_TEST_REDIS is not set. Run the tests with ./test.sh, which starts Redis on 127.0.0.1.");

    /// <summary>The unit with this machine's paths in place of the ones an installation uses.</summary>
    private void RenderUnit()
    {
        Directory.CreateDirectory(SystemdDirectory);
        Directory.CreateDirectory(DataDirectory);
        File.WriteAllText(RenderedUnit, Replace(File.ReadAllText(UnitFile), "deploy/halo@.service",
            ("/usr/bin/dotnet", Dotnet), ("/opt/halo", AppDirectory), ("/etc/halo", EtcDirectory), ("/var/lib/halo", DataDirectory)));
    }

    /// <summary>Each replaced text must be in the file: a recipe that drifted from this test fails here, by name.</summary>
    private static string Replace(string text, string file, params (string From, string To)[] replacements)
    {
        foreach (var (from, to) in replacements)
        {
            if (!text.Contains(from, StringComparison.Ordinal)) throw new InvalidOperationException($"{file} no longer contains '{from}'.");
            text = text.Replace(from, to, StringComparison.Ordinal);
        }
        return text;
    }

    /// <summary>The [Service] lines of the rendered unit with this key.</summary>
    public IEnumerable<string> UnitValues(string key) => File.ReadAllLines(RenderedUnit)
        .SkipWhile(l => l.Trim() != "[Service]").Skip(1).TakeWhile(l => !l.TrimStart().StartsWith('['))
        .Where(l => l.StartsWith(key + "=", StringComparison.Ordinal)).Select(l => l[(key.Length + 1)..].Trim());

    /// <summary>The unit's ExecStart split into program and arguments, with %i (the instance) as the port.</summary>
    public (string Program, List<string> Args) ExecStart(int? port)
    {
        var words = UnitValues("ExecStart").Single().Split(' ', StringSplitOptions.RemoveEmptyEntries).ToList();
        // Without a port: the program and its dll only, the way the operator runs a command (`migrate`).
        if (port is null) return (words[0], words.Skip(1).Take(1).ToList());
        return (words[0], words.Skip(1).Select(w => w.Replace("%i", port.Value.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)).ToList());
    }

    /// <summary>What systemd gives the process: Environment= assignments, then the EnvironmentFile (which wins).</summary>
    private Dictionary<string, string> UnitEnvironment()
    {
        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var assignment in UnitValues("Environment"))
        {
            var eq = assignment.IndexOf('=', StringComparison.Ordinal);
            env[assignment[..eq]] = assignment[(eq + 1)..];
        }
        foreach (var file in UnitValues("EnvironmentFile"))
            foreach (var line in File.ReadAllLines(file.TrimStart('-')))
            {
                var t = line.Trim();
                if (t.Length == 0 || t.StartsWith('#')) continue;
                var eq = t.IndexOf('=', StringComparison.Ordinal);
                env[t[..eq]] = t[(eq + 1)..];
            }
        return env;
    }

    public async Task StartInstanceAsync(int port)
    {
        var (program, args) = ExecStart(port);
        var instance = RecipeProcess.Start(program, args, Environment, UnitValues("WorkingDirectory").Single());
        lock (_instances) _instances[port] = instance;
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(5) };
        for (var i = 0; i < 360; i++)
        {
            if (instance.HasExited) throw new InvalidOperationException($"The instance on {port} exited:\n{instance.Output}");
            try { if ((await http.GetAsync("/health/ready")).StatusCode == HttpStatusCode.OK) return; }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) { }
            await Task.Delay(500);
        }
        throw new TimeoutException($"The instance on {port} was not ready in 3 minutes:\n{instance.Output}");
    }

    /// <summary>`systemctl stop`: SIGTERM, then the app finishes what it is doing and exits.</summary>
    public async Task<int> StopInstanceAsync(int port)
    {
        RecipeProcess instance;
        lock (_instances) { instance = _instances[port]; _instances.Remove(port); }
        await using (instance)
        {
            await RunAsync("kill", ["-TERM", instance.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)], TimeSpan.FromSeconds(10));
            return await instance.ExitCodeAsync(TimeSpan.FromSeconds(45));
        }
    }

    public string InstanceOutput(int port) { lock (_instances) return _instances.TryGetValue(port, out var i) ? i.Output : ""; }

    private async Task StartNginxAsync()
    {
        var conf = Path.Combine(NginxPrefix, "conf");
        var temp = Path.Combine(NginxPrefix, "temp");
        Directory.CreateDirectory(conf);
        Directory.CreateDirectory(temp);
        var tls = Path.Combine(_root, "tls");
        File.WriteAllText(Path.Combine(conf, "halo.conf"), Replace(File.ReadAllText(NginxSite), "deploy/nginx/halo.conf",
            ("server 127.0.0.1:5001 ", $"server 127.0.0.1:{PortA} "), ("server 127.0.0.1:5002 ", $"server 127.0.0.1:{PortB} "),
            ("listen 443 ssl http2;", $"listen 127.0.0.1:{HttpsPort} ssl http2;"), ("listen 80;", $"listen 127.0.0.1:{HttpPort};"),
            ("/etc/letsencrypt/live/halo.example.org/fullchain.pem", Path.Combine(tls, "fullchain.pem")),
            ("/etc/letsencrypt/live/halo.example.org/privkey.pem", Path.Combine(tls, "privkey.pem"))));
        // Debian's /etc/nginx/nginx.conf, reduced to what a private, foreground nginx needs: everything under its prefix.
        // As root the workers would drop to `nobody`, who cannot enter this private temp folder.
        var user = System.Environment.UserName == "root" ? "user root root;\n" : "";
        File.WriteAllText(Path.Combine(conf, "nginx.conf"), $$"""
            {{user}}worker_processes 1;
            daemon off;
            pid {{NginxPrefix}}/nginx.pid;
            error_log {{NginxPrefix}}/error.log warn;
            events { worker_connections 256; }
            http {
                client_body_temp_path {{temp}}/body;
                proxy_temp_path {{temp}}/proxy;
                fastcgi_temp_path {{temp}}/fastcgi;
                uwsgi_temp_path {{temp}}/uwsgi;
                scgi_temp_path {{temp}}/scgi;
                log_format halo '$request_method $uri $status $upstream_addr';
                access_log {{AccessLog}} halo;
                include {{conf}}/halo.conf;
            }
            """);
        string[] args = ["-p", NginxPrefix + "/", "-c", Path.Combine(conf, "nginx.conf"), "-e", ErrorLogFile];
        await RunAsync(FindNginx()!, ["-t", .. args], TimeSpan.FromSeconds(30));
        _nginx = RecipeProcess.Start(FindNginx()!, args, null, NginxPrefix);
        for (var i = 0; i < 100; i++)
        {
            if (_nginx.HasExited) throw new InvalidOperationException($"nginx exited:\n{_nginx.Output}\n{ErrorLog}");
            try
            {
                using var tcp = new TcpClient();
                await tcp.ConnectAsync(IPAddress.Loopback, HttpsPort);
                return;
            }
            catch (SocketException) { await Task.Delay(100); }
        }
        throw new TimeoutException("nginx did not listen in 10 s:\n" + ErrorLog);
    }

    public static string ReadOrEmpty(string path)
    {
        try
        {
            using var s = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            return new StreamReader(s).ReadToEnd();
        }
        catch (IOException) { return ""; }
    }

    /// <summary>Trusts the test's self-signed certificate as a root, and nothing else; the name must match.</summary>
    public bool Trusts(X509Certificate? presented, SslPolicyErrors errors)
    {
        if (presented is not X509Certificate2 cert || (errors & (SslPolicyErrors.RemoteCertificateNameMismatch | SslPolicyErrors.RemoteCertificateNotAvailable)) != 0)
            return false;
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(Certificate);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(cert);
    }

    /// <summary>An HTTPS client of the public address through nginx.</summary>
    public HttpClient PublicClient() => new(new HttpClientHandler
    {
        ServerCertificateCustomValidationCallback = (_, cert, _, errors) => Trusts(cert, errors),
        AllowAutoRedirect = false,
    })
    { BaseAddress = Public, Timeout = TimeSpan.FromSeconds(30) };

    public async Task DisposeAsync()
    {
        if (_nginx is not null) await _nginx.DisposeAsync();
        List<RecipeProcess> instances;
        lock (_instances) instances = [.. _instances.Values];
        foreach (var i in instances) await i.DisposeAsync();
        if (_databaseCreated) PostgresTestServer.DropDatabase(_database);
        Certificate?.Dispose();
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    public static string? FindNginx() => FindOnPath("nginx", ["/usr/sbin", "/sbin"]);

    private static string Dotnet => System.Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host)
        ? host : FindOnPath("dotnet", []) ?? "dotnet";

    private static string? FindOnPath(string name, string[] extra) =>
        (System.Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries).Concat(extra)
            .Select(d => Path.Combine(d, name)).FirstOrDefault(File.Exists);

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }
}

/// <summary>A child process with its output kept (for failure messages); killed with its children when disposed.</summary>
public sealed class RecipeProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private RecipeProcess(Process process) => _process = process;

    public static RecipeProcess Start(string program, IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment, string workingDirectory)
    {
        var start = new ProcessStartInfo(program, args)
        {
            WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        if (environment is not null)
        {
            // Only what the unit gives, over the machine's basics: none of this test run's own app settings.
            foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("ASPNETCORE_", StringComparison.OrdinalIgnoreCase)
                         || k.StartsWith("Secrets__", StringComparison.OrdinalIgnoreCase) || k.StartsWith("DOTNET_ENVIRONMENT", StringComparison.OrdinalIgnoreCase)
                         || k.StartsWith("HALO_", StringComparison.OrdinalIgnoreCase)).ToList())
                start.Environment.Remove(key);
            foreach (var (k, v) in environment) start.Environment[k] = v;
        }
        var p = new RecipeProcess(new Process { StartInfo = start });
        p._process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (p._output) p._output.AppendLine(e.Data); };
        p._process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (p._output) p._output.AppendLine(e.Data); };
        p._process.Start();
        p._process.BeginOutputReadLine();
        p._process.BeginErrorReadLine();
        return p;
    }

    public int Id => _process.Id;
    public bool HasExited => _process.HasExited;
    public string Output { get { lock (_output) return _output.ToString(); } }

    public async Task<int> ExitCodeAsync(TimeSpan limit)
    {
        using var timeout = new CancellationTokenSource(limit);
        try { await _process.WaitForExitAsync(timeout.Token); }
        catch (OperationCanceledException) { throw new TimeoutException($"{_process.StartInfo.FileName} did not exit within {limit}:\n{Output}"); }
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }
}

/// <summary>A fact that is skipped, with the reason, where nginx is not installed.</summary>
public sealed class NginxFactAttribute : FactAttribute
{
    public NginxFactAttribute()
    {
        if (DeployRecipe.Unavailable is { } why) Skip = why;
    }
}
