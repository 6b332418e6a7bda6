using Halo.Api.Features.Incidents;
using Halo.Api.Features.Reports;
using Halo.Api.Tests.Infrastructure;

namespace Halo.Api.Tests.Features.Reports;

/// <summary>The submission's decision (ClusterDecision): pure functions over candidates, no database.</summary>
public sealed class ClusterDecisionTests
{
    private static readonly ReportsOptions O = new();
    private static readonly DateTime T = new(2025, 3, 14, 12, 0, 0, DateTimeKind.Utc);
    private static readonly ReportPoint Report = new(59.33, 18.06, T, "theft");

    private static ClusterCandidate Official(double distanceM = 50) => Candidate(true, distanceM);

    private static CitizenCandidate Citizen(double distanceM = 50, bool reported = false, bool sameWitness = false, Guid? linkedTo = null,
        string status = IncidentStatus.Unverified) =>
        new(Candidate(false, distanceM), reported, sameWitness,
            new ClusterRow(linkedTo, 1, 1, false, false, status, 2, false, 59.33, 18.06, 1_000, 1, 1, false, "1 citizen report"));

    private static ClusterCandidate Candidate(bool official, double distanceM)
    {
        var (lat, lon) = TestIncidents.Offset(Report.Latitude, Report.Longitude, distanceM, 30);
        return new ClusterCandidate(Guid.NewGuid(), official, "theft", T.AddMinutes(-10), lat, lon, official ? 10 : 0);
    }

    [Fact]
    public void NoCandidateStartsANewUnlinkedCluster()
    {
        var pick = ClusterDecision.Choose(Report, [], [], O);
        Assert.IsType<Pick.None>(pick);
        Assert.Equal(new Placement.New(null, null), ClusterDecision.Place(pick, null));
    }

    [Fact]
    public void ACandidateTooFarAwayIsNoCandidate()
    {
        Assert.IsType<Pick.None>(ClusterDecision.Choose(Report, [Official(5_000)], [Citizen(5_000)], O));
    }

    [Fact]
    public void AnOfficialIncidentWithoutALinkedClusterStartsOneLinkedToItWithTheMatchScore()
    {
        var official = Official();
        var pick = Assert.IsType<Pick.Official>(ClusterDecision.Choose(Report, [official], [], O));
        var placement = Assert.IsType<Placement.New>(ClusterDecision.Place(pick, new LinkedCluster(null, new OfficialCounters(0, false))));
        Assert.Equal(official.IncidentId, placement.MatchedOfficial);
        Assert.Equal(pick.Best.Score, placement.MatchScore);
    }

    [Fact]
    public void AnOfficialIncidentIsJoinedThroughItsLinkedCluster()
    {
        var official = Official();
        var linked = Citizen(3_000, linkedTo: official.IncidentId);
        var pick = ClusterDecision.Choose(Report, [official], [], O);
        var join = Assert.IsType<Placement.Join>(ClusterDecision.Place(pick, new LinkedCluster(linked, new OfficialCounters(1, false))));
        Assert.Same(linked, join.Cluster);
        Assert.Equal(official.IncidentId, join.MatchedOfficial);
        Assert.True(join.NewWitness);
    }

    [Theory]
    [InlineData(IncidentStatus.Rejected)]
    [InlineData(IncidentStatus.Deleted)]
    public void AnOfficialIncidentWhoseLinkedClusterWasRejectedOrMergedLeavesTheReportAlone(string status)
    {
        var official = Official();
        var pick = ClusterDecision.Choose(Report, [official], [], O);
        var placement = ClusterDecision.Place(pick, new LinkedCluster(Citizen(linkedTo: official.IncidentId, status: status), new OfficialCounters(3, true)));
        Assert.Equal(new Placement.New(null, null), placement);
    }

    [Fact]
    public void TheOfficialIncidentWinsATieWithACitizenCluster()
    {
        var official = Official(50) with { PrecisionM = 0 };
        var citizen = Citizen(50);
        var same = citizen with { Candidate = citizen.Candidate with { Latitude = official.Latitude, Longitude = official.Longitude } };
        Assert.IsType<Pick.Official>(ClusterDecision.Choose(Report, [official], [same], O));
    }

    [Fact]
    public void ADeviceAlreadyInTheClusterIsADuplicateOfThatCluster()
    {
        var citizen = Citizen(reported: true);
        var pick = ClusterDecision.Choose(Report, [], [citizen], O);
        Assert.Equal(new Placement.Duplicate(citizen.Candidate.IncidentId), ClusterDecision.Place(pick, null));
    }

    [Fact]
    public void AReportFromANetworkOrAccountAlreadyInTheClusterJoinsButIsNoNewWitness()
    {
        var pick = ClusterDecision.Choose(Report, [], [Citizen(sameWitness: true)], O);
        var join = Assert.IsType<Placement.Join>(ClusterDecision.Place(pick, null));
        Assert.False(join.NewWitness);
        Assert.Null(join.MatchedOfficial);
    }

    [Fact]
    public void ACitizenClusterLinkedToAnOfficialIncidentIsReadAgainUnderItsKey()
    {
        var officialId = Guid.NewGuid();
        var stale = Citizen(linkedTo: officialId);
        var pick = Assert.IsType<Pick.Citizen>(ClusterDecision.Choose(Report, [], [stale], O));
        Assert.Equal(officialId, pick.ReadAgainUnder);

        // The current row (read under the key) is what the report joins; the report itself matched no official incident.
        var current = stale with { State = stale.State with { ReportCount = 7 } };
        var join = Assert.IsType<Placement.Join>(ClusterDecision.Place(pick, new LinkedCluster(current, null)));
        Assert.Same(current, join.Cluster);
        Assert.Null(join.MatchedOfficial);
        // The link moved away meanwhile (a merge): the report starts a cluster of its own.
        Assert.Equal(new Placement.New(null, null), ClusterDecision.Place(pick, new LinkedCluster(null, null)));
    }
}
