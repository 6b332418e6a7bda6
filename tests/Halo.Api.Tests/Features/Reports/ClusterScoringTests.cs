using Halo.Api.Features.Reports;
using Halo.Api.Tests.Infrastructure;

namespace Halo.Api.Tests.Features.Reports;

/// <summary>Table and property tests of the clustering score and its thresholds (defaults of the original design).</summary>
public sealed class ClusterScoringTests
{
    private static readonly ReportsOptions O = new();
    private static readonly DateTime T0 = new(2024, 12, 3, 14, 21, 0, DateTimeKind.Utc);
    private const double Lat0 = 59.3293, Lon0 = 18.0686;

    private static ClusterCandidate Citizen(double distanceM, double minutes, string category = "theft", double bearing = 90)
    {
        var (lat, lon) = TestIncidents.Offset(Lat0, Lon0, distanceM, bearing);
        return new ClusterCandidate(Guid.NewGuid(), false, category, T0.AddMinutes(minutes), lat, lon, 0);
    }

    private static ReportPoint Report(string category = "theft") => new(Lat0, Lon0, T0, category);

    [Theory]
    [InlineData(0, 1.0)]
    [InlineData(200, 1.0)]
    [InlineData(1100, 0.5)]
    [InlineData(1550, 0.25)]
    [InlineData(2000, 0.0)]
    [InlineData(5000, 0.0)]
    public void SpatialIsOneWithin200mFallingLinearlyToZeroAt2km(double metres, double expected) =>
        Assert.Equal(expected, ClusterScoring.Spatial(metres, O), 6);

    [Theory]
    [InlineData(0, 1.0)]
    [InlineData(60, 1.0)]
    [InlineData(-60, 1.0)]
    [InlineData(60 * 12.5, 0.5)]
    [InlineData(-60 * 12.5, 0.5)]
    [InlineData(60 * 24, 0.0)]
    [InlineData(60 * 30, 0.0)]
    public void TemporalIsOneWithinAnHourFallingLinearlyToZeroAt24h(double minutes, double expected) =>
        Assert.Equal(expected, ClusterScoring.Temporal(TimeSpan.FromMinutes(minutes), O), 6);

    [Theory]
    [InlineData("theft", "theft", 1.0)]
    [InlineData("THEFT", "theft", 1.0)]
    [InlineData("violence", "weapons", 0.8)]
    [InlineData("weapons", "violence", 0.8)]
    [InlineData("burglary", "theft", 0.8)]
    [InlineData("fire", "fraud", 0.3)]
    [InlineData("traffic", "sexual_offence", 0.3)]
    public void TypeIsSameRelatedOrOther(string a, string b, double expected) =>
        Assert.Equal(expected, ClusterScoring.Type(a, b, O), 6);

    // score = 0.5·spatial + 0.3·temporal + 0.2·type, against the thresholds 0.7 (official) and 0.6 (citizen).
    [Theory]
    [InlineData(100, 10, "theft", 1.0, true)]           // same place, time, type
    [InlineData(1100, 10, "theft", 0.75, true)]         // 0.25 + 0.3 + 0.2
    [InlineData(1100, 10, "fire", 0.61, true)]          // 0.25 + 0.3 + 0.06: just above the citizen threshold
    [InlineData(1280, 10, "fire", 0.56, false)]         // 0.2 + 0.3 + 0.06
    [InlineData(100, 60 * 12.5, "fraud", 0.81, true)]   // 0.5 + 0.15 + 0.2·0.8 (theft–fraud are related)
    [InlineData(1550, 60 * 12.5, "theft", 0.475, false)]
    public void CitizenClusterTable(double metres, double minutes, string category, double expectedApprox, bool joins)
    {
        var c = Citizen(metres, minutes, category);
        var s = ClusterScoring.Score(Report(), c, O);
        Assert.NotNull(s);
        Assert.InRange(s.Score, expectedApprox - 0.02, expectedApprox + 0.02);
        Assert.Equal(joins, ClusterScoring.Choose(Report(), [c], O) is not null);
    }

    [Fact]
    public void ThresholdsAreStrict()
    {
        // 0.5·s + 0.3 + 0.2 = 0.7 exactly when s = 0 … use spatial 0.2 → 0.1 + 0.3·1 + 0.2·1 = 0.6 exactly.
        var o = new ReportsOptions();
        var metres = o.CandidateRadiusM - 0.2 * (o.CandidateRadiusM - o.SpatialFullScoreM); // spatial 0.2
        var c = Citizen(metres, 0);
        var s = ClusterScoring.Score(Report(), c, o)!;
        Assert.Equal(0.6, s.Score, 6);
        Assert.False(ClusterScoring.Qualifies(s, o), "a score equal to the citizen threshold does not join");
        var official = c with { IsOfficial = true };
        Assert.False(ClusterScoring.Qualifies(ClusterScoring.Score(Report(), official, o)!, o));
    }

    [Fact]
    public void OfficialNeedsMoreThanPointSevenWhereACitizenClusterNeedsPointSix()
    {
        // 0.5·0.4 + 0.3·1 + 0.2·1 = 0.70: joins a citizen cluster, not an official incident.
        var metres = O.CandidateRadiusM - 0.4 * (O.CandidateRadiusM - O.SpatialFullScoreM);
        var citizen = Citizen(metres, 0);
        var official = citizen with { IsOfficial = true, IncidentId = Guid.NewGuid() };
        Assert.Equal(0.7, ClusterScoring.Score(Report(), official, O)!.Score, 6);
        Assert.NotNull(ClusterScoring.Choose(Report(), [citizen], O));
        Assert.Null(ClusterScoring.Choose(Report(), [official], O));
    }

    [Fact]
    public void CoarseOfficialEventIsMeasuredAgainstItsPrecisionAreaNotItsCentroid()
    {
        // A police event placed at the municipality centroid with a 10 km radius; the report is 6 km from the centroid.
        var (lat, lon) = TestIncidents.Offset(Lat0, Lon0, 6_000, 200);
        var official = new ClusterCandidate(Guid.NewGuid(), true, "theft", T0.AddMinutes(-5), lat, lon, 10_000);
        var s = ClusterScoring.Score(Report(), official, O);
        Assert.NotNull(s);
        Assert.Equal(0, s.DistanceM);
        Assert.Equal(1.0, s.Score, 6);
        Assert.Same(official, ClusterScoring.Choose(Report(), [official], O)!.Candidate);

        // The same point as a precise official event (or a citizen cluster) is out of reach.
        Assert.Null(ClusterScoring.Score(Report(), official with { PrecisionM = 0 }, O));
        Assert.Null(ClusterScoring.Score(Report(), official with { IsOfficial = false }, O));

        // Outside the area: the distance counts from its edge.
        var edge = official with { PrecisionM = 5_000 };
        Assert.InRange(ClusterScoring.Score(Report(), edge, O)!.DistanceM, 990, 1010);
    }

    [Fact]
    public void PoliceEventTimeFromTheTitleIsUsedNotThePublicationTime()
    {
        // "3 december 15:21, Stöld, Stockholm" published 17:40 local: the report at the event time must match fully.
        var occurred = T0;                      // event time (from the title)
        var published = T0.AddHours(2).AddMinutes(19);
        var asStored = new ClusterCandidate(Guid.NewGuid(), true, "theft", occurred, Lat0, Lon0, 0);
        Assert.Equal(1.0, ClusterScoring.Score(Report(), asStored, O)!.Score, 6);
        // Had the publication time been used (2 h 19 min later), the temporal part would have fallen below 1.
        var wrong = asStored with { OccurredAt = published };
        Assert.True(ClusterScoring.Score(Report(), wrong, O)!.Score < 1.0);
        // A report filed at publication time about the event is still well within the window of the event time.
        var late = new ReportPoint(Lat0, Lon0, published, "theft");
        Assert.True(ClusterScoring.Qualifies(ClusterScoring.Score(late, asStored, O)!, O));
    }

    [Fact]
    public void CandidatesBeyondTwoKilometresOrTwentyFourHoursAreNotCandidates()
    {
        Assert.Null(ClusterScoring.Score(Report(), Citizen(2_001, 0), O));
        Assert.Null(ClusterScoring.Score(Report(), Citizen(0, 24 * 60 + 1), O));
        Assert.Null(ClusterScoring.Score(Report(), Citizen(0, -(24 * 60 + 1)), O));
        Assert.NotNull(ClusterScoring.Score(Report(), Citizen(1_999, 0), O));
    }

    [Fact]
    public void BestQualifyingCandidateWinsAndTiesGoToTheOfficialIncident()
    {
        var far = Citizen(900, 0);
        var near = Citizen(50, 0);
        Assert.Same(near, ClusterScoring.Choose(Report(), [far, near], O)!.Candidate);
        var official = near with { IncidentId = Guid.NewGuid(), IsOfficial = true };
        Assert.Same(official, ClusterScoring.Choose(Report(), [near, official], O)!.Candidate);
    }

    [Fact]
    public void ScoreIsBoundedMonotoneAndSymmetricInTime()
    {
        var rng = new Random(7);
        var categories = Halo.Api.Features.Taxonomy.HaloTaxonomy.Categories.Select(c => c.Code).ToArray();
        for (var n = 0; n < 2_000; n++)
        {
            var d = rng.NextDouble() * 1_990;
            var m = rng.NextDouble() * 23 * 60;
            var cat = categories[rng.Next(categories.Length)];
            var s = ClusterScoring.Score(Report(), Citizen(d, m, cat, rng.NextDouble() * 360), O)!;
            Assert.InRange(s.Score, 0, 1);
            // Nearer never scores lower; earlier-by-the-same-gap scores the same.
            var nearer = ClusterScoring.Score(Report(), Citizen(d * rng.NextDouble(), m, cat), O)!;
            Assert.True(nearer.Score >= s.Score - 1e-6, $"nearer {nearer.Score} < {s.Score}");
            var mirrored = ClusterScoring.Score(Report(), Citizen(d, -m, cat), O)!;
            Assert.Equal(s.Score, mirrored.Score, 6);
            var sooner = ClusterScoring.Score(Report(), Citizen(d, m * rng.NextDouble(), cat), O)!;
            Assert.True(sooner.Score >= s.Score - 1e-6);
        }
    }

    [Theory]
    [InlineData(0, 0.0)]
    [InlineData(1, 0.5)]
    [InlineData(2, 0.6667)]
    [InlineData(3, 0.75)]
    [InlineData(99, 0.99)]
    public void ClusterConfidenceIsOneMinusOneOverReportersPlusOne(int reporters, double expected) =>
        Assert.Equal(expected, ClusterScoring.Confidence(reporters), 4);
}
