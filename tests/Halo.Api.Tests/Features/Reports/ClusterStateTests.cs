using System.Reflection;
using Halo.Api.Features.Incidents;
using Halo.Api.Features.Reports;
using Halo.Api.Features.Geo;

namespace Halo.Api.Tests.Features.Reports;

/// <summary>The one cluster math (ClusterState) used by submission and moderation: pure, no database.</summary>
public sealed class ClusterStateTests
{
    private static readonly DateTime T = new(2025, 3, 14, 12, 0, 0, DateTimeKind.Utc);

    private static Incident ClusterIncident(int severity = 2) => new()
    {
        Id = Guid.NewGuid(), Source = IncidentSources.Citizen, ExternalId = "x", RawType = "theft", Category = "theft", Severity = severity,
        Title = "Theft (citizen reports)", Summary = "1 citizen report", OccurredAt = T, PublishedAt = T, Latitude = 59.33, Longitude = 18.06,
        LocationName = "somewhere", LocationPrecisionM = 900, H3Res9 = 1, H3Res7 = 2, Status = IncidentStatus.Unverified, SourceUrl = "u",
        CitizenCorroborations = 4, CreatedAt = T, UpdatedAt = T, RawPayload = "p",
    };

    /// <summary>
    /// A join is written from the candidate's row read under the lock (ClusterRow.Attach), so everything it may change
    /// must be among the columns that row carries: this fails when ClusterState starts writing another column.
    /// </summary>
    [Fact]
    public void AJoinChangesOnlyColumnsTheCandidateRowCarries()
    {
        var carried = typeof(ClusterRow).GetProperties().Select(p => p.Name)
            .Concat([nameof(Incident.OccurredAt), nameof(Incident.UpdatedAt), nameof(ReportCluster.CentroidLatitude), nameof(ReportCluster.CentroidLongitude)])
            .ToHashSet();
        var incident = ClusterIncident();
        var cluster = new ReportCluster
        {
            IncidentId = incident.Id, ReportCount = 1, UniqueReporters = 1, CentroidLatitude = 59.331, CentroidLongitude = 18.061, CreatedAt = T, UpdatedAt = T,
        };
        var before = (Snapshot(incident), Snapshot(cluster));
        ClusterState.AddReport(cluster, incident, 59.332, 18.0, T.AddMinutes(-30), 5, newWitness: true, hasMedia: true, T.AddHours(1));
        ClusterState.Apply(cluster, incident, PublicPosition.Describe(GeoCells.Cell(59.34, 18.07, 8)), T.AddHours(1));

        var changed = Changed(before.Item1, Snapshot(incident)).Concat(Changed(before.Item2, Snapshot(cluster))).ToList();
        Assert.Contains(nameof(Incident.Severity), changed);
        Assert.Contains(nameof(Incident.Latitude), changed);
        Assert.All(changed, name => Assert.Contains(name, carried));
    }

    [Fact]
    public void AMergeTakesTheSourceClustersSeverityTheEarliestTimeAndTheMeanPosition()
    {
        var target = ClusterIncident(severity: 1);
        var source = ClusterIncident(severity: 3);
        source.OccurredAt = T.AddMinutes(-40);
        var targetCluster = new ReportCluster { IncidentId = target.Id, ReportCount = 1, UniqueReporters = 1, CentroidLatitude = 59.0, CentroidLongitude = 18.0 };
        var sourceCluster = new ReportCluster { IncidentId = source.Id, ReportCount = 2, UniqueReporters = 2, CentroidLatitude = 60.0, CentroidLongitude = 19.0 };
        var moving = new List<CitizenReport>
        {
            new() { Category = "violence", OccurredAt = T.AddMinutes(-40), Severity = null, MediaCount = 1 },
            new() { Category = "violence", OccurredAt = T.AddMinutes(-35), Severity = 2 },
        };

        ClusterState.Absorb(targetCluster, target, sourceCluster, source, moving, T);

        Assert.Equal(3, target.Severity);
        Assert.Equal(T.AddMinutes(-40), target.OccurredAt);
        Assert.Equal(59.0 * 1 / 3 + 60.0 * 2 / 3, targetCluster.CentroidLatitude, 9);
        Assert.True(targetCluster.HasMedia);
    }

    [Fact]
    public void AMergeNeverLowersTheTargetsSeverity()
    {
        var target = ClusterIncident(severity: 5);
        var targetCluster = new ReportCluster { IncidentId = target.Id, ReportCount = 1, UniqueReporters = 1 };
        ClusterState.Absorb(targetCluster, target, new ReportCluster { ReportCount = 1 }, ClusterIncident(severity: 2),
            [new CitizenReport { Category = "theft", OccurredAt = T, Severity = 1 }], T);
        Assert.Equal(5, target.Severity);
    }

    private static Dictionary<string, object?> Snapshot(object o) =>
        o.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanRead).ToDictionary(p => p.Name, p => p.GetValue(o));

    private static IEnumerable<string> Changed(Dictionary<string, object?> a, Dictionary<string, object?> b) =>
        a.Keys.Where(k => !Equals(a[k], b[k]));
}
