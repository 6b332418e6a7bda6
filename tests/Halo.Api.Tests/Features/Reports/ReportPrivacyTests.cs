using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Halo.Api.Data;
using Halo.Api.Features.Audit;
using Halo.Api.Features.Auth;
using Halo.Api.Features.Geo;
using Halo.Api.Features.Incidents;
using Halo.Api.Features.Moderation;
using Halo.Api.Features.Reports;
using Halo.Api.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using static Halo.Api.Tests.Features.Reports.ReportTestHelpers;

namespace Halo.Api.Tests.Features.Reports;

/// <summary>
/// The privacy regression suite: each attack an outside tester used to recover a reporter's exact position, replayed
/// through the whole HTTP pipeline. Every public read of a cluster must show only a published cell (the centre of an H3
/// cell no finer than Reports:PublicResolution), no number in any public answer may be the reporter's coordinate, and no
/// combination of answers (differencing of successive positions) may land near the reporter.
/// </summary>
public abstract class ReportPrivacyTests(HaloApiFactory factory)
{
    private const int PublicResolution = 8;
    private readonly HttpClient _client = factory.CreateClient();
    private int _network;

    /// <summary>A reporter position far (≥ 250 m) from the centres of its own cells, so a published centre is never "close by luck".</summary>
    private static (double Lat, double Lon) VictimPoint() => FarFromCentres(NewPlace());

    /// <summary>A point ~330 m from <paramref name="near"/> that is ≥ 250 m from its cell centres at resolutions 5–8.</summary>
    private static (double Lat, double Lon) FarFromCentres((double Lat, double Lon) near)
    {
        for (var bearing = 7; bearing < 360; bearing += 15)
        {
            var p = TestIncidents.Offset(near.Lat, near.Lon, 330, bearing);
            if (new[] { 5, 6, 7, 8 }.All(r => DistanceToCentre(p, r) >= 250)) return p;
        }
        throw new InvalidOperationException("No point far from its cell centres near this place.");
    }

    private static double DistanceToCentre((double Lat, double Lon) p, int resolution)
    {
        var c = GeoCells.Centre(GeoCells.Cell(p.Lat, p.Lon, resolution));
        return Haversine.DistanceM(p.Lat, p.Lon, c.Latitude, c.Longitude);
    }

    /// <summary>A peer address in a network no other report of this test class uses.</summary>
    private string NewNetwork() => $"fd77:{Interlocked.Increment(ref _network):x4}:{GetHashCode() & 0xffff:x4}::9";

    private Task<SubmitReportResponse> Report((double Lat, double Lon) p, DateTime at, string? from = null, string category = "theft") =>
        _client.SubmitOk(Body(NewDevice(), p.Lat, p.Lon, at, category), from: from ?? NewNetwork());

    /// <summary>Every public answer that can carry the cluster, as JSON.</summary>
    private async Task<List<JsonElement>> PublicReadsAsync(Guid clusterId, (double Lat, double Lon) near)
    {
        var inv = CultureInfo.InvariantCulture;
        var bbox = string.Create(inv, $"{near.Lon - 0.05},{near.Lat - 0.05},{near.Lon + 0.05},{near.Lat + 0.05}");
        var urls = new List<string>
        {
            $"/api/v1/incidents/{clusterId}",
            $"/api/v1/reports/cluster/{clusterId}",
            $"/api/v1/incidents?bbox={bbox}&limit=500",
            $"/api/v1/incidents?bbox={bbox}&source=citizen&verified_only=true&limit=500",
            string.Create(inv, $"/api/v1/incidents/nearby?lat={near.Lat}&lon={near.Lon}&radius_km=5&limit=500"),
            "/api/v1/incidents/stats/summary",
            "/api/v1/reports/stats",
            "/api/v1/reports/cross-source-stats",
        };
        var docs = new List<JsonElement>();
        foreach (var url in urls)
        {
            var res = await _client.GetAsync(url);
            if (res.StatusCode == HttpStatusCode.NotFound) continue;
            Assert.True(res.IsSuccessStatusCode, $"{url}: {(int)res.StatusCode}");
            docs.Add(JsonDocument.Parse(await res.Content.ReadAsStringAsync()).RootElement.Clone());
        }
        return docs;
    }

    /// <summary>Checks every public answer and returns the cluster's published position (null when it is not public).</summary>
    private async Task<(double Lat, double Lon)?> AssertNothingFinerThanACellAsync(Guid clusterId, params (double Lat, double Lon)[] reporters)
    {
        // Queries are centred away from the reporters: the nearby answer echoes its own centre.
        var docs = await PublicReadsAsync(clusterId, TestIncidents.Offset(reporters[0].Lat, reporters[0].Lon, 1_000, 45));
        foreach (var doc in docs)
        {
            foreach (var n in Numbers(doc))
            foreach (var r in reporters)
            {
                Assert.False(Math.Abs(n - r.Lat) < 1e-6, $"A public answer carries a reporter's latitude {r.Lat}.");
                Assert.False(Math.Abs(n - r.Lon) < 1e-6, $"A public answer carries a reporter's longitude {r.Lon}.");
            }
            foreach (var (lat, lon) in Positions(doc)) AssertCellCentre(lat, lon);
        }
        var detail = await _client.GetAsync($"/api/v1/incidents/{clusterId}");
        if (detail.StatusCode == HttpStatusCode.NotFound) return null;
        var dto = await detail.ReadAsync<IncidentDto>();
        return (dto.Latitude, dto.Longitude);
    }

    private static void AssertCellCentre(double lat, double lon)
    {
        var centreOfSomeCell = Enumerable.Range(0, PublicResolution + 1).Any(r => GeoCells.Centre(GeoCells.Cell(lat, lon, r)) == (lat, lon));
        Assert.True(centreOfSomeCell, string.Create(CultureInfo.InvariantCulture, $"({lat}, {lon}) is not the centre of a cell at resolution ≤ {PublicResolution}."));
    }

    private static void AssertFar((double Lat, double Lon) estimate, (double Lat, double Lon) victim, string attack, double minM = 150)
    {
        var d = Haversine.DistanceM(estimate.Lat, estimate.Lon, victim.Lat, victim.Lon);
        Assert.True(d > minM, $"{attack} recovers the reporter to within {d:F0} m.");
    }

    /// <summary>
    /// Differencing estimates combine published cell centres with the attacker's own points, so they carry nothing of
    /// the reporter beyond the cell choice; one may still land near the reporter by coincidence. The old leak was exact
    /// (1e-12), so the bound here is a few metres.
    /// </summary>
    private static void AssertNotRecovered((double Lat, double Lon) estimate, (double Lat, double Lon) victim, string attack) =>
        AssertFar(estimate, victim, attack, minM: 10);

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(5)]
    public async Task CentroidDifferencingWithAddedReportsRecoversNothingFinerThanThePublishedCell(int added)
    {
        var victim = VictimPoint();
        var t = factory.Now().AddMinutes(-30);
        var first = await Report(victim, t);
        var published = new List<(double Lat, double Lon)> { (await AssertNothingFinerThanACellAsync(first.IncidentId, victim))!.Value };
        AssertFar(published[0], victim, "the published position");

        // The attacker adds reports at points it knows, each from another network, and reads the cluster after each.
        var attackers = new List<(double Lat, double Lon)>();
        for (var k = 0; k < added; k++)
        {
            var a = TestIncidents.Offset(victim.Lat, victim.Lon, 400 + 90 * k, 80 + 40 * k);
            attackers.Add(a);
            var joined = await Report(a, t.AddMinutes(k + 1));
            Assert.Equal(first.IncidentId, joined.IncidentId);
            published.Add((await AssertNothingFinerThanACellAsync(first.IncidentId, [victim, .. attackers]))!.Value);
        }

        // The old leak: with n reports the position was their mean, so victim = n·c_n − Σ attackers, and each step
        // leaked (n+1)·c_{n+1} − n·c_n. Neither estimator may land near the reporter now.
        for (var n = 1; n <= added; n++)
        {
            var c = published[n];
            var sumLat = attackers.Take(n).Sum(a => a.Lat);
            var sumLon = attackers.Take(n).Sum(a => a.Lon);
            AssertNotRecovered(((n + 1) * c.Lat - sumLat, (n + 1) * c.Lon - sumLon), victim, $"Differencing with {n} added report(s)");
            // Against the previous answer alone: with the means of the old code this gave the new report's point,
            // and with one added report (n = 1) it is the victim's (2·c − a above).
            var prev = published[n - 1];
            AssertNotRecovered(((n + 1) * c.Lat - n * prev.Lat, (n + 1) * c.Lon - n * prev.Lon), victim, $"Step differencing at report {n + 1}");
        }
    }

    [Fact]
    public async Task ASingleReportCrossValidatedByAPoliceEventIsStillPublishedOnlyAsACell()
    {
        var victim = VictimPoint();
        var t = factory.Now().AddMinutes(-20);
        var near = TestIncidents.Offset(victim.Lat, victim.Lon, 250, 30);
        var official = TestIncidents.Make("polisen", near.Lat, near.Lon, t, "theft");
        official.LocationPrecisionM = 300;
        await factory.WithDb(async db => { db.Incidents.Add(official); await db.SaveChangesAsync(); return 0; });

        var r = await Report(victim, t.AddMinutes(5));
        Assert.Equal(IncidentStatus.CrossValidated, r.Verification);
        Assert.Equal(official.Id, r.MatchedOfficialIncidentId);
        var at = await AssertNothingFinerThanACellAsync(r.IncidentId, victim);
        AssertFar(at!.Value, victim, "the cross-validated position");
        // The cluster is also readable through the official incident's id; that view is the same cell.
        var byOfficial = await _client.GetFromJsonAsync<ClusterDto>($"/api/v1/reports/cluster/{official.Id}", Json.Options);
        Assert.Equal(at.Value, (byOfficial!.Latitude, byOfficial.Longitude));
    }

    [Fact]
    public async Task AModeratorVerifyingASingleReportPublishesItsCellNotItsPoint()
    {
        var victim = VictimPoint();
        var r = await Report(victim, factory.Now().AddMinutes(-10));
        var moderator = await factory.CreateClientAsAsync(Roles.Moderator);
        var verify = await moderator.PostAsJsonAsync($"/api/v1/moderation/clusters/{r.IncidentId}/verify", new { reason = "Seen on CCTV" });
        Assert.Equal(HttpStatusCode.OK, verify.StatusCode);

        var at = await AssertNothingFinerThanACellAsync(r.IncidentId, victim);
        var dto = await _client.GetFromJsonAsync<IncidentDto>($"/api/v1/incidents/{r.IncidentId}", Json.Options);
        Assert.True(dto!.IsVerified);
        AssertFar(at!.Value, victim, "the verified position");
    }

    [Fact]
    public async Task AMergeOfTwoClustersPublishesTheMergedCellNeverAMeanOfTheirPoints()
    {
        var victim = VictimPoint();
        var t = factory.Now().AddMinutes(-50);
        var a = await Report(victim, t);
        // Far enough not to join (another category, 3 km away), known to the attacker.
        var other = TestIncidents.Offset(victim.Lat, victim.Lon, 3_000, 200);
        var b = await Report(other, t.AddMinutes(1), category: "fire");
        Assert.NotEqual(a.IncidentId, b.IncidentId);
        var before = (await AssertNothingFinerThanACellAsync(b.IncidentId, other))!.Value;

        var moderator = await factory.CreateClientAsAsync(Roles.Moderator);
        var merge = await moderator.PostAsJsonAsync($"/api/v1/moderation/clusters/{a.IncidentId}/merge",
            new { reason = "Same event", into_incident_id = b.IncidentId });
        Assert.Equal(HttpStatusCode.OK, merge.StatusCode);

        var after = (await AssertNothingFinerThanACellAsync(b.IncidentId, victim, other))!.Value;
        AssertFar(after, victim, "the merged position");
        AssertNotRecovered((2 * after.Lat - other.Lat, 2 * after.Lon - other.Lon), victim, "Differencing the merge");
        AssertNotRecovered((2 * after.Lat - before.Lat, 2 * after.Lon - before.Lon), victim, "Differencing the merge against the earlier cell");
    }

    [Fact]
    public async Task ExactPositionsReachOnlyModeratorsAndEveryViewIsAudited()
    {
        var victim = VictimPoint();
        var r = await Report(victim, factory.Now().AddMinutes(-10));
        var url = $"/api/v1/moderation/clusters/{r.IncidentId}/positions";
        Assert.Equal(HttpStatusCode.Unauthorized, (await _client.GetAsync(url)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await (await factory.CreateClientAsAsync()).GetAsync(url)).StatusCode);

        var moderatorUser = await factory.CreateUserAsync(Roles.Moderator);
        var moderator = factory.CreateClientWithToken(moderatorUser.AccessToken);
        var positions = await moderator.GetFromJsonAsync<ClusterPositions>(url, Json.Options);
        var p = Assert.Single(positions!.Reports);
        Assert.Equal((victim.Lat, victim.Lon), (p.Latitude!.Value, p.Longitude!.Value));
        await moderator.GetAsync(url);

        var audits = await factory.WithDb(db => db.Set<AuditEntry>().AsNoTracking()
            .Where(a => a.EntityId == r.IncidentId.ToString() && a.Action == ModerationActions.AuditPrefix + ModerationActions.ViewPositions).ToListAsync());
        Assert.Equal(2, audits.Count);
        Assert.All(audits, a => Assert.Equal(moderatorUser.User.Id.ToString(), a.Actor));
    }

    [Fact]
    public async Task TwoDevicesOnOneNetworkAreOneWitnessAndDoNotCorroborate()
    {
        var (lat, lon) = NewPlace();
        var t = factory.Now().AddMinutes(-15);
        var network = NewNetwork();
        var first = await Report((lat, lon), t, from: network);
        // Another host in the same /48 (IPv6) or /24 (IPv4) is the same network.
        var sameNet = network.Replace("::9", "::77", StringComparison.Ordinal);
        var second = await Report(TestIncidents.Offset(lat, lon, 30, 90), t.AddMinutes(1), from: sameNet);

        Assert.Equal(first.IncidentId, second.IncidentId);
        Assert.Equal((2, 1), (second.ReportCount, second.UniqueReporters));
        Assert.Equal(IncidentStatus.Unverified, second.Verification);
        Assert.False(second.IsVerified);

        var v4 = await Report(TestIncidents.Offset(lat, lon, 5_000, 0), t, from: "192.0.2.10");
        var v4Again = await Report(TestIncidents.Offset(lat, lon, 5_020, 0), t.AddMinutes(1), from: "192.0.2.200");
        Assert.Equal(v4.IncidentId, v4Again.IncidentId);
        Assert.Equal(IncidentStatus.Unverified, v4Again.Verification);
    }

    [Fact]
    public async Task TwoNetworksAreTwoWitnessesAndCorroborate()
    {
        var (lat, lon) = NewPlace();
        var t = factory.Now().AddMinutes(-15);
        var first = await Report((lat, lon), t, from: "192.0.2.10");
        var second = await Report(TestIncidents.Offset(lat, lon, 30, 90), t.AddMinutes(1), from: "198.18.7.10");
        Assert.Equal(first.IncidentId, second.IncidentId);
        Assert.Equal((2, 2), (second.ReportCount, second.UniqueReporters));
        Assert.Equal(IncidentStatus.Corroborated, second.Verification);
    }

    [Fact]
    public async Task OneAccountOnTwoNetworksIsOneWitness()
    {
        var (lat, lon) = NewPlace();
        var t = factory.Now().AddMinutes(-15);
        var user = factory.CreateClientWithToken((await factory.CreateUserAsync()).AccessToken);
        var first = await user.SubmitOk(Body(NewDevice(), lat, lon, t), from: NewNetwork());
        var second = await user.SubmitOk(Body(NewDevice(), lat + 0.0002, lon, t.AddMinutes(1)), from: NewNetwork());
        Assert.Equal(first.IncidentId, second.IncidentId);
        Assert.Equal(1, second.UniqueReporters);
        Assert.Equal(IncidentStatus.Unverified, second.Verification);
    }

    [Fact]
    public async Task StoredRowsFromBeforeTheRuleArePublishedAsCellsByTheDataFix()
    {
        var victim = VictimPoint();
        var t = factory.Now().AddMinutes(-30);
        var r = await Report(victim, t);
        // Far from its own cell centres too, so that its published centre is never close by luck.
        var legacyPoint = FarFromCentres(TestIncidents.Offset(victim.Lat, victim.Lon, 8_000, 45));
        var legacy = TestIncidents.Make(IncidentSources.Citizen, legacyPoint.Lat, legacyPoint.Lon, t);
        // Rows as the old code left them: the cluster at its exact point, and a citizen incident with no cluster.
        await factory.WithDb(async db =>
        {
            db.Incidents.Add(legacy);
            await db.Incidents.Where(i => i.Id == r.IncidentId)
                .ExecuteUpdateAsync(s => s.SetProperty(i => i.Latitude, victim.Lat).SetProperty(i => i.Longitude, victim.Lon));
            await db.Set<DataFix>().Where(f => f.Id == "2026-12-02-public-cells").ExecuteDeleteAsync();
            return await db.SaveChangesAsync();
        });

        await DataRegistration.MigrateAsync(factory.Services, force: true);

        await AssertNothingFinerThanACellAsync(r.IncidentId, victim);
        var fixedLegacy = await factory.WithDb(db => db.Incidents.AsNoTracking().SingleAsync(i => i.Id == legacy.Id));
        AssertCellCentre(fixedLegacy.Latitude, fixedLegacy.Longitude);
        AssertFar((fixedLegacy.Latitude, fixedLegacy.Longitude), legacyPoint, "the migrated legacy incident");
        Assert.True(fixedLegacy.LocationPrecisionM > 1_000);
        Assert.Equal(1, await factory.WithDb(db => db.Set<DataFix>().CountAsync(f => f.Id == "2026-12-02-public-cells")));
    }

    private static IEnumerable<double> Numbers(JsonElement e)
    {
        switch (e.ValueKind)
        {
            case JsonValueKind.Number: yield return e.GetDouble(); break;
            case JsonValueKind.Object: foreach (var p in e.EnumerateObject()) foreach (var n in Numbers(p.Value)) yield return n; break;
            case JsonValueKind.Array: foreach (var x in e.EnumerateArray()) foreach (var n in Numbers(x)) yield return n; break;
        }
    }

    /// <summary>Every citizen incident's or cluster's (latitude, longitude) anywhere in the document.</summary>
    private static IEnumerable<(double, double)> Positions(JsonElement e)
    {
        if (e.ValueKind == JsonValueKind.Object)
        {
            if (e.TryGetProperty("latitude", out var la) && la.ValueKind == JsonValueKind.Number
                && e.TryGetProperty("longitude", out var lo) && lo.ValueKind == JsonValueKind.Number
                && (e.TryGetProperty("source", out var src) && src.GetString() == IncidentSources.Citizen || e.TryGetProperty("report_count", out _)))
                yield return (la.GetDouble(), lo.GetDouble());
            foreach (var p in e.EnumerateObject()) foreach (var x in Positions(p.Value)) yield return x;
        }
        else if (e.ValueKind == JsonValueKind.Array)
            foreach (var x in e.EnumerateArray()) foreach (var y in Positions(x)) yield return y;
    }
}

public sealed class ReportPrivacySqliteTests(SqliteApiFactory f) : ReportPrivacyTests(f), IClassFixture<SqliteApiFactory>;

public sealed class ReportPrivacyPostgresTests(PostgresApiFactory f) : ReportPrivacyTests(f), IClassFixture<PostgresApiFactory>;

/// <summary>Witness independence behind a reverse proxy: only a configured proxy's X-Forwarded-For names the reporter's network.</summary>
public abstract class ReportWitnessProxyTests(DbProvider provider) : IDisposable
{
    private const string Proxy = "192.0.2.1";
    private readonly HaloApiFactory _factory = new HaloApiFactory(provider).With("Network:TrustedProxies:0", Proxy);

    private async Task<SubmitReportResponse> ViaAsync(string peer, string forwardedFor, (double Lat, double Lon) p, DateTime at)
    {
        var req = new HttpRequestMessage(HttpMethod.Post, "/api/v1/reports/submit")
        {
            Content = new StringContent(Body(NewDevice(), p.Lat, p.Lon, at), System.Text.Encoding.UTF8, "application/json"),
        };
        req.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString("N"));
        req.Headers.Add("X-Forwarded-For", forwardedFor);
        req.From(peer);
        var res = await _factory.CreateClient().SendAsync(req);
        Assert.Equal(HttpStatusCode.Created, res.StatusCode);
        return await res.ReadAsync<SubmitReportResponse>();
    }

    [Fact]
    public async Task BehindATrustedProxyTwoForwardedNetworksAreTwoWitnesses()
    {
        var (lat, lon) = NewPlace();
        var t = _factory.Now().AddMinutes(-10);
        var first = await ViaAsync(Proxy, "203.0.113.20", (lat, lon), t);
        var second = await ViaAsync(Proxy, "198.18.40.20", (lat + 0.0002, lon), t.AddMinutes(1));
        Assert.Equal(first.IncidentId, second.IncidentId);
        Assert.Equal(IncidentStatus.Corroborated, second.Verification);
    }

    [Fact]
    public async Task AnUntrustedPeerCannotInventWitnessesWithXForwardedFor()
    {
        var (lat, lon) = NewPlace();
        var t = _factory.Now().AddMinutes(-10);
        // One client, not a proxy, claiming two different origins: both reports are its own network's.
        var first = await ViaAsync("203.0.113.77", "198.18.1.1", (lat, lon), t);
        var second = await ViaAsync("203.0.113.77", "198.18.200.1", (lat + 0.0002, lon), t.AddMinutes(1));
        Assert.Equal(first.IncidentId, second.IncidentId);
        Assert.Equal(1, second.UniqueReporters);
        Assert.Equal(IncidentStatus.Unverified, second.Verification);
    }

    public void Dispose()
    {
        _factory.Dispose();
        GC.SuppressFinalize(this);
    }
}

public sealed class ReportWitnessProxySqliteTests() : ReportWitnessProxyTests(DbProvider.Sqlite);

public sealed class ReportWitnessProxyPostgresTests() : ReportWitnessProxyTests(DbProvider.Postgres);
