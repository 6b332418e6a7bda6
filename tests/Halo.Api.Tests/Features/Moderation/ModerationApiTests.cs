using System.Net;
using System.Net.Http.Json;
using Halo.Api.Features.Audit;
using Halo.Api.Features.Auth;
using Halo.Api.Features.Incidents;
using Halo.Api.Features.Media;
using Halo.Api.Features.Moderation;
using Halo.Api.Features.Reports;
using Halo.Api.Tests.Features.Media;
using Halo.Api.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using static Halo.Api.Tests.Features.Reports.ReportTestHelpers;

namespace Halo.Api.Tests.Features.Moderation;

public abstract class ModerationApiTests(HaloApiFactory factory)
{
    private readonly HttpClient _client = factory.CreateClient();
    // Two real staff accounts: a moderator and an admin, both allowed to moderate; the audit names them by user id.
    private readonly Lazy<Task<TestUser>> _moderator = new(() => factory.CreateUserAsync(Roles.Moderator));
    private readonly Lazy<Task<TestUser>> _admin = new(() => factory.CreateUserAsync(Roles.Admin));

    private async Task<HttpClient> Staff(bool admin = false) =>
        factory.CreateClientWithToken((await (admin ? _admin : _moderator).Value).AccessToken);

    private async Task<string> StaffId(bool admin = false) => (await (admin ? _admin : _moderator).Value).User.Id.ToString();

    private async Task<HttpResponseMessage> Act(Guid id, string action, object body, bool asAdmin = false)
    {
        var req = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/moderation/clusters/{id}/{action}") { Content = JsonContent.Create(body) };
        return await (await Staff(asAdmin)).SendAsync(req);
    }

    [Fact]
    public async Task ModerationNeedsAModeratorOrAdmin()
    {
        Assert.Equal(HttpStatusCode.Unauthorized, (await _client.GetAsync("/api/v1/moderation/queue")).StatusCode);
        var citizen = await factory.CreateClientAsAsync(Roles.Citizen);
        Assert.Equal(HttpStatusCode.Forbidden, (await citizen.GetAsync("/api/v1/moderation/queue")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await (await Staff()).GetAsync("/api/v1/moderation/queue")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await (await Staff(admin: true)).GetAsync("/api/v1/moderation/queue")).StatusCode);
    }

    [Fact]
    public async Task QueueListsUnverifiedClustersOldestFirst()
    {
        var (lat, lon) = NewPlace();
        var older = await _client.SubmitOk(Body(NewDevice(), lat, lon, factory.Now().AddMinutes(-5)));
        factory.Clock.Advance(TimeSpan.FromSeconds(1));
        var (lat2, lon2) = NewPlace();
        var newer = await _client.SubmitOk(Body(NewDevice(), lat2, lon2, factory.Now().AddMinutes(-5)));
        var (lat3, lon3) = NewPlace();
        var corroborated = await _client.SubmitOk(Body(NewDevice(), lat3, lon3, factory.Now().AddMinutes(-5)));
        await _client.SubmitOk(Body(NewDevice(), lat3, lon3, factory.Now().AddMinutes(-4)));

        var queue = await (await Staff()).GetFromJsonAsync<ModerationQueue>("/api/v1/moderation/queue?limit=200", Json.Options);
        var ids = queue!.Items.Select(i => i.IncidentId).ToList();
        Assert.True(ids.IndexOf(older.IncidentId) >= 0 && ids.IndexOf(older.IncidentId) < ids.IndexOf(newer.IncidentId));
        Assert.DoesNotContain(corroborated.IncidentId, ids);
        Assert.All(queue.Items, i => Assert.Equal("unverified", i.Verification));
        Assert.Equal(queue.Items.OrderBy(i => i.CreatedAt).Select(i => i.CreatedAt), queue.Items.Select(i => i.CreatedAt));
    }

    [Fact]
    public async Task VerifyAndRejectAreAuditedWithWhoAndWhy()
    {
        var (lat, lon) = NewPlace();
        var r = await _client.SubmitOk(Body(NewDevice(), lat, lon, factory.Now().AddMinutes(-5)));

        var verify = await Act(r.IncidentId, "verify", new { reason = "Matches CCTV" });
        Assert.Equal(HttpStatusCode.OK, verify.StatusCode);
        var v = await verify.ReadAsync<ModerationResult>();
        Assert.Equal(("unverified", "corroborated", await StaffId()), (v.PreviousStatus, v.NewStatus, v.Actor));
        Assert.True((await _client.Cluster(r.IncidentId))!.IsVerified);

        factory.Clock.Advance(TimeSpan.FromMinutes(1));
        var reject = await Act(r.IncidentId, "reject", new { reason = "Prank" }, asAdmin: true);
        var rj = await reject.ReadAsync<ModerationResult>();
        Assert.Equal(("corroborated", "rejected", await StaffId(admin: true)), (rj.PreviousStatus, rj.NewStatus, rj.Actor));

        // Rejected: gone from every public view.
        Assert.Equal(HttpStatusCode.NotFound, (await _client.GetAsync($"/api/v1/reports/cluster/{r.IncidentId}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _client.GetAsync($"/api/v1/incidents/{r.IncidentId}")).StatusCode);
        var list = await _client.GetFromJsonAsync<IncidentPage>("/api/v1/incidents?source=citizen&limit=500", Json.Options);
        Assert.DoesNotContain(list!.Items, i => i.Id == r.IncidentId);
        var row = await factory.WithDb(db => db.Incidents.AsNoTracking().SingleAsync(i => i.Id == r.IncidentId));
        Assert.False(row.IsVerified);

        // A new report there starts a fresh cluster rather than joining the rejected one.
        var again = await _client.SubmitOk(Body(NewDevice(), lat, lon, factory.Now().AddMinutes(-4)));
        Assert.NotEqual(r.IncidentId, again.IncidentId);

        var audit = await (await Staff()).GetFromJsonAsync<List<AuditEntryDto>>($"/api/v1/moderation/audit?incident_id={r.IncidentId}", Json.Options);
        Assert.Equal(["moderation.reject", "moderation.verify"], audit!.Select(a => a.Action));
        Assert.Equal(["Prank", "Matches CCTV"], audit!.Select(a => a.Reason));
        Assert.Equal(("corroborated", "rejected"), (audit![0].Before, audit[0].After));
        Assert.All(audit!, a => Assert.Equal(("incident", r.IncidentId.ToString()), (a.EntityType, a.EntityId)));
    }

    [Fact]
    public async Task MergeMovesReportsKeepingOneReportPerDevice()
    {
        var (lat, lon) = NewPlace();
        var (lat2, lon2) = TestIncidents.Offset(lat, lon, 5_000, 90);
        var t = factory.Now().AddMinutes(-10);
        var d1 = NewDevice();
        var d2 = NewDevice();
        var d3 = NewDevice();
        var a = await _client.SubmitOk(Body(d1, lat, lon, t));
        await _client.SubmitOk(Body(d2, lat, lon, t));
        var b = await _client.SubmitOk(Body(d2, lat2, lon2, t));
        await _client.SubmitOk(Body(d3, lat2, lon2, t));
        Assert.NotEqual(a.IncidentId, b.IncidentId);

        var res = await Act(a.IncidentId, "merge", new { reason = "Same fight", into_incident_id = b.IncidentId });
        Assert.Equal(HttpStatusCode.OK, res.StatusCode);
        var m = await res.ReadAsync<ModerationResult>();
        Assert.Equal(1, m.ReportsMoved);
        Assert.Equal(b.IncidentId, m.TargetIncidentId);
        Assert.Equal("deleted", m.NewStatus);

        var merged = await _client.Cluster(b.IncidentId);
        Assert.Equal(3, merged!.ReportCount);
        Assert.Equal(3, merged.Reports.Count);
        Assert.Equal(3, merged.Reports.Select(x => x.ReporterId).Distinct().Count());
        Assert.Equal(HttpStatusCode.NotFound, (await _client.GetAsync($"/api/v1/reports/cluster/{a.IncidentId}")).StatusCode);
        var rows = await factory.WithDb(db => db.Set<CitizenReport>().Where(x => x.IncidentId == b.IncidentId).CountAsync());
        Assert.Equal(3, rows);
        // The merge is in the one audit log, found from either cluster.
        var fromTarget = await (await Staff()).GetFromJsonAsync<List<AuditEntryDto>>($"/api/v1/moderation/audit?incident_id={b.IncidentId}", Json.Options);
        var entry = Assert.Single(fromTarget!, x => x.Action == "moderation.merge");
        Assert.Equal((a.IncidentId.ToString(), b.IncidentId.ToString(), m.AuditId), (entry.EntityId, entry.RelatedEntityId, entry.Id));
        Assert.Equal("{\"reports_moved\":1}", entry.Details);
        Assert.Equal(HttpStatusCode.Conflict, (await Act(a.IncidentId, "verify", new { reason = "late" })).StatusCode);
    }

    [Fact]
    public async Task MergeRaisesTheTargetToTheHigherSeverityAndEarlierTimeOfTheTwoClusters()
    {
        var (lat, lon) = NewPlace();
        var (lat2, lon2) = TestIncidents.Offset(lat, lon, 5_000, 90);
        var t = factory.Now().AddMinutes(-30);
        // Source: a violence report without a severity of its own (category default); target: a milder theft, later.
        var source = await _client.SubmitOk(Body(NewDevice(), lat, lon, t, "violence"));
        var target = await _client.SubmitOk(Body(NewDevice(), lat2, lon2, t.AddMinutes(20), "theft", severity: 1));
        var sourceSeverity = await factory.WithDb(db => db.Incidents.Where(i => i.Id == source.IncidentId).Select(i => i.Severity).SingleAsync());
        Assert.True(sourceSeverity > 1, $"violence defaults above 1, got {sourceSeverity}");

        var res = await Act(source.IncidentId, "merge", new { reason = "Same event", into_incident_id = target.IncidentId });
        Assert.Equal(HttpStatusCode.OK, res.StatusCode);

        var merged = await factory.WithDb(db => db.Incidents.AsNoTracking().SingleAsync(i => i.Id == target.IncidentId));
        Assert.Equal(sourceSeverity, merged.Severity);
        Assert.Equal(t, merged.OccurredAt, TimeSpan.FromSeconds(1));
    }

    [Fact]
    public async Task ModeratorsSeeEachReportsClipAndSensorSummary()
    {
        var (lat, lon) = NewPlace();
        var device = NewDevice();
        var clip = await (await _client.UploadMedia(ContainerFixtures.WebmWithTags(), device, "evidence.webm", "video/webm"))
            .ReadAsync<MediaUploadResponse>();
        var sensors = new Dictionary<string, object?>
        {
            ["accelerometer"] = new Dictionary<string, object?> { ["peak_g"] = 5.0, ["jerk"] = 265.17, ["impact_detected"] = true },
            ["audio"] = new Dictionary<string, object?> { ["peak_dbfs"] = 0.0, ["mean_dbfs"] = -21.1 },
            ["gps_track"] = new[]
            {
                new Dictionary<string, object?> { ["latitude"] = lat, ["longitude"] = lon, ["timestamp"] = "2025-03-14T11:50:00Z" },
                new Dictionary<string, object?> { ["latitude"] = lat + 0.001, ["longitude"] = lon, ["timestamp"] = "2025-03-14T11:50:06Z" },
            },
        };
        var withClip = await _client.SubmitOk(Body(device, lat, lon, factory.Now().AddMinutes(-5), mediaIds: [clip.MediaId], sensors: sensors));
        factory.Clock.Advance(TimeSpan.FromSeconds(1)); // reports are listed in the order they were submitted
        var plain = await _client.SubmitOk(Body(NewDevice(), lat, lon, factory.Now().AddMinutes(-4)));
        Assert.Equal(withClip.IncidentId, plain.IncidentId);

        var staff = await Staff();
        var evidence = await staff.GetFromJsonAsync<ClusterEvidence>($"/api/v1/moderation/clusters/{withClip.IncidentId}/evidence", Json.Options);

        Assert.Equal([withClip.ReportId, plain.ReportId], evidence!.Reports.Select(r => r.ReportId));
        var first = evidence.Reports[0];
        var media = Assert.Single(first.Media);
        Assert.Equal((clip.MediaId, "video", "video/webm"), (media.MediaId, media.Kind, media.ContentType));
        var s = first.Sensors!;
        Assert.Equal((5.0, 265.17, true, 0.0, -21.1), (s.PeakG!.Value, s.Jerk!.Value, s.ImpactDetected!.Value, s.AudioPeakDbfs!.Value, s.AudioMeanDbfs!.Value));
        Assert.Equal(2, s.GpsPoints);
        Assert.Equal(111.2, s.GpsDistanceM!.Value, 1);
        Assert.Equal(6.0, s.GpsDurationS);
        Assert.Null(evidence.Reports[1].Sensors);
        Assert.Empty(evidence.Reports[1].Media);
        // The link is one a moderator can follow.
        var download = await staff.GetAsync(media.Url);
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        Assert.Equal("video/webm", download.Content.Headers.ContentType!.MediaType);

        Assert.Equal(HttpStatusCode.NotFound, (await staff.GetAsync($"/api/v1/moderation/clusters/{Guid.NewGuid()}/evidence")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await _client.GetAsync($"/api/v1/moderation/clusters/{withClip.IncidentId}/evidence")).StatusCode);
    }

    [Fact]
    public async Task BadModerationRequestsAreRejected()
    {
        var (lat, lon) = NewPlace();
        var r = await _client.SubmitOk(Body(NewDevice(), lat, lon, factory.Now().AddMinutes(-5)));
        Assert.Equal(HttpStatusCode.BadRequest, (await Act(r.IncidentId, "verify", new { })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await Act(r.IncidentId, "merge", new { reason = "x" })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await Act(r.IncidentId, "merge", new { reason = "x", into_incident_id = Guid.NewGuid() })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Act(Guid.NewGuid(), "reject", new { reason = "x" })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await (await Staff()).GetAsync("/api/v1/moderation/queue?limit=0")).StatusCode);
        Assert.Empty((await (await Staff()).GetFromJsonAsync<List<AuditEntryDto>>($"/api/v1/moderation/audit?incident_id={r.IncidentId}", Json.Options))!);
    }
}

public sealed class ModerationApiSqliteTests(SqliteApiFactory f) : ModerationApiTests(f), IClassFixture<SqliteApiFactory>;

public sealed class ModerationApiPostgresTests(PostgresApiFactory f) : ModerationApiTests(f), IClassFixture<PostgresApiFactory>;
