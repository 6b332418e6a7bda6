using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Halo.Api.Features.Live;
using Halo.Api.Features.Reports;
using Halo.Api.Infrastructure;
using Halo.Api.Tests.Infrastructure;
using Halo.Api.Tests.Features.Live;
using AppProcess = Halo.Api.Tests.Infrastructure.Cli.AppProcess;
using static Halo.Api.Tests.Features.Reports.ReportTestHelpers;

namespace Halo.Api.Tests.Deploy;

/// <summary>The deployment recipe of docs/deploy.md, run end to end (<see cref="DeployRecipe"/>).</summary>
public sealed class DeployRecipeTests(DeployRecipe recipe) : IClassFixture<DeployRecipe>
{
    [NginxFact]
    public async Task TheSystemdUnitStartsThePublishedDllAndSystemdAcceptsIt()
    {
        var (program, args) = recipe.ExecStart(recipe.PortA);
        Assert.True(File.Exists(program), program);
        Assert.Equal(Path.Combine(recipe.AppDirectory, "Halo.Api.dll"), args[0]);
        Assert.Equal(["--urls", $"http://127.0.0.1:{recipe.PortA}"], args.Skip(1));
        Assert.Equal(recipe.AppDirectory, Assert.Single(recipe.UnitValues("WorkingDirectory")));

        if (File.Exists("/usr/bin/systemd-analyze"))
        {
            // With the instance name, as `systemctl start halo@5001` would load it; a warning about the file is a failure too.
            await using var verify = RecipeProcess.Start("/usr/bin/systemd-analyze",
                ["verify", Path.Combine(recipe.SystemdDirectory, $"halo@{recipe.PortA}.service")], null, recipe.SystemdDirectory);
            var code = await verify.ExitCodeAsync(TimeSpan.FromSeconds(60));
            Assert.True(code == 0, verify.Output);
            Assert.DoesNotContain("halo@", verify.Output, StringComparison.Ordinal);
        }
    }

    [NginxFact]
    public async Task OverTlsThroughNginxALiveClientGetsTheIncidentsOfReportsThatEitherInstanceTook()
    {
        // The hub through nginx over wss://, WebSockets only: the upgrade must pass the proxy.
        await using var live = await LiveTestClient.ConnectAsync(recipe.Public, configure: o =>
        {
            o.HttpMessageHandlerFactory = h =>
            {
                if (h is HttpClientHandler c) c.ServerCertificateCustomValidationCallback = (_, cert, _, errors) => recipe.Trusts(cert, errors);
                return h;
            };
            o.WebSocketConfiguration = ws => ws.RemoteCertificateValidationCallback = (_, cert, _, errors) => recipe.Trusts(cert, errors);
        });
        var (lat, lon) = NewPlace();
        await live.SubscribeAsync(lat - 0.05, lon - 0.05, lat + 0.14, lon + 0.05);

        using var http = recipe.PublicClient();
        var before = File.ReadAllLines(recipe.AccessLog).Length;
        var submitted = new List<SubmitReportResponse>();
        // Four places 3.3 km apart (separate clusters), submitted one after the other: least_conn takes turns.
        for (var i = 0; i < 4; i++)
            submitted.Add(await http.SubmitOk(Body(NewDevice(), lat + i * 0.03, lon, DateTime.UtcNow.AddMinutes(-5))));

        var created = new HashSet<Guid>();
        var clusters = new HashSet<Guid>();
        while (!submitted.All(s => created.Contains(s.IncidentId) && clusters.Contains(s.IncidentId)))
        {
            var (type, payload) = await live.NextAsync(60);
            if (type == LivePublisher.IncidentCreated) created.Add(payload.GetProperty("id").GetGuid());
            if (type == LivePublisher.ClusterUpdated) clusters.Add(payload.GetProperty("incident_id").GetGuid());
        }

        // The reports went to both instances, the hub's requests to one: the other's incidents came over the Redis backplane.
        var log = File.ReadAllLines(recipe.AccessLog).Skip(before).Select(l => l.Split(' ')).ToList();
        var reportUpstreams = log.Where(l => l[0] == "POST" && l[1] == "/api/v1/reports/submit").Select(l => l[3]).ToHashSet();
        Assert.Equal(new[] { $"127.0.0.1:{recipe.PortA}", $"127.0.0.1:{recipe.PortB}" }.Order(StringComparer.Ordinal), reportUpstreams.Order(StringComparer.Ordinal));
        var hubLog = File.ReadAllLines(recipe.AccessLog).Where(l => l.Contains(" /hubs/live", StringComparison.Ordinal)).ToList();
        Assert.Single(hubLog.Select(l => l.Split(' ')[3]).Distinct());
        Assert.Contains(hubLog, l => l.StartsWith("POST /hubs/live/negotiate 200", StringComparison.Ordinal));
    }

    [NginxFact]
    public async Task ThroughNginxReadinessAnswersPlainHttpIsRedirectedAndMetricsStayPrivate()
    {
        using var http = recipe.PublicClient();
        var ready = await http.GetAsync("/health/ready");
        Assert.True(ready.StatusCode == HttpStatusCode.OK, await ready.Content.ReadAsStringAsync() + "\nnginx error log:\n" + recipe.ErrorLog);
        Assert.Equal("ready", JsonDocument.Parse(await ready.Content.ReadAsStringAsync()).RootElement.GetProperty("status").GetString());

        using var plain = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = new Uri($"http://127.0.0.1:{recipe.HttpPort}") };
        var redirect = await plain.GetAsync("/api/v1/incidents?limit=1");
        Assert.Equal(HttpStatusCode.MovedPermanently, redirect.StatusCode);
        Assert.Equal($"https://127.0.0.1/api/v1/incidents?limit=1", redirect.Headers.Location!.ToString());

        // Not on the public name, also with the scrape token's header shape; each instance serves its own on 127.0.0.1.
        using var scrape = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        scrape.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "x");
        Assert.Equal(HttpStatusCode.NotFound, (await http.SendAsync(scrape)).StatusCode);
        using var direct = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{recipe.PortB}") };
        var metrics = await direct.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, metrics.StatusCode);
        Assert.Contains("http_server_request_duration_seconds", await metrics.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [NginxFact]
    public async Task RestartingTheInstancesOneAfterTheOtherLosesNoRequestThroughNginx()
    {
        using var http = recipe.PublicClient();
        using var stop = new CancellationTokenSource();
        var failures = new List<string>();
        var answered = 0;
        var load = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    var res = await http.GetAsync("/api/v1/incidents?limit=1");
                    if (res.StatusCode == HttpStatusCode.OK) Interlocked.Increment(ref answered);
                    else
                    {
                        var text = $"{(int)res.StatusCode}: {await res.Content.ReadAsStringAsync()}";
                        lock (failures) failures.Add(text);
                    }
                }
                catch (HttpRequestException e) { lock (failures) failures.Add(e.Message); }
                // 10 requests/s: a restart still sees many, and a slow run stays under the read limit (600 a minute).
                await Task.Delay(100);
            }
        });

        // The load must be running before the first stop: on a loaded machine its first request (a TLS handshake
        // through nginx) can take longer than a restart.
        var started = DateTime.UtcNow;
        while (Volatile.Read(ref answered) == 0 && DateTime.UtcNow - started < TimeSpan.FromSeconds(30)) await Task.Delay(20);
        lock (failures) Assert.True(answered > 0, "the load got no answer before any instance was stopped: " + string.Join("\n", failures.Take(5)));

        // docs/deploy.md "Upgrades": one instance at a time, stop (SIGTERM), start, wait until ready.
        foreach (var port in new[] { recipe.PortA, recipe.PortB })
        {
            var exit = await recipe.StopInstanceAsync(port);
            Assert.Equal(0, exit);
            var during = answered;
            await recipe.StartInstanceAsync(port);
            Assert.True(answered > during, "no request was answered while one instance was down\nnginx error log:\n" + recipe.ErrorLog);
            // As the guide's loop does: nginx takes a failed instance back only after fail_timeout.
            await Task.Delay(DeployRecipe.FailTimeout + TimeSpan.FromSeconds(1));
        }
        await stop.CancelAsync();
        await load;
        Assert.True(failures.Count == 0, string.Join("\n", failures.Take(10)));
        Assert.True(answered > 0);
    }
}

/// <summary>The deployment files agree with the app, without running them.</summary>
public sealed class DeployFilesTests
{
    [Fact]
    public void TheEnvironmentFileExampleHasAnEmptyLineForEveryServerSecret()
    {
        var secrets = File.ReadAllLines(DeployRecipe.EnvExample).Where(l => l.StartsWith("Secrets__", StringComparison.Ordinal))
            .Select(l => l.TrimEnd()).ToList();
        Assert.All(secrets, l => Assert.EndsWith("=", l, StringComparison.Ordinal));
        Assert.Equal(DeclaredSecrets.All().Select(s => $"Secrets__{s.Name}=").Order(), secrets.Order());
    }

    [Fact]
    public void TheUnitRunsThePublishedDllInProductionAndDoesNotRestartARefusedStart()
    {
        var unit = File.ReadAllLines(DeployRecipe.UnitFile);
        Assert.Contains("ExecStart=/usr/bin/dotnet /opt/halo/Halo.Api.dll --urls http://127.0.0.1:%i", unit);
        Assert.Contains("Environment=ASPNETCORE_ENVIRONMENT=Production", unit);
        Assert.Contains($"RestartPreventExitStatus={ServerSecrets.MissingSecretsExitCode}", unit);
        Assert.Contains("EnvironmentFile=/etc/halo/halo.env", unit);
    }

    [Fact]
    public void TheDeploymentGuideNamesTheFilesItsRecipeUses()
    {
        var guide = File.ReadAllText(Path.Combine(AppProcess.RepoRoot, "docs", "deploy.md"));
        foreach (var file in new[] { "deploy/halo@.service", "deploy/halo.env.example", "deploy/nginx/halo.conf" })
        {
            Assert.Contains(file, guide, StringComparison.Ordinal);
            Assert.True(File.Exists(Path.Combine(AppProcess.RepoRoot, file)), file);
        }
        Assert.Contains(LiveRegistration.HubPath, guide, StringComparison.Ordinal);
    }
}
