using Halo.Api.Features.Geo;
using Halo.Api.Features.Reports;
using Halo.Api.Tests.Infrastructure;

namespace Halo.Api.Tests.Features.Reports;

/// <summary>The lock keys a submission takes (ClusterLock.SubmissionKeys): pure functions, no database.</summary>
public sealed class ClusterLockTests
{
    [Fact]
    public void EveryPointWithinTheCandidateRadiusLiesInALockedCell()
    {
        var rng = new Random(5);
        for (var n = 0; n < 5_000; n++)
        {
            var lat = 55.3 + rng.NextDouble() * 13.8;
            var lon = 11.0 + rng.NextDouble() * 13.2;
            var keys = ClusterLock.SubmissionKeys(lat, lon, 2_000, null);
            // A cluster centroid anywhere in the 2 km disk must be guarded by one of the keys.
            var (plat, plon) = TestIncidents.Offset(lat, lon, rng.NextDouble() * 2_000, rng.NextDouble() * 360);
            var own = ClusterLock.SubmissionKeys(plat, plon, 0, null);
            Assert.Single(own);
            Assert.Contains(own[0], keys);
        }
    }

    [Fact]
    public void TwoReportsOfOneEventAcrossACellCornerShareEveryCellAroundIt()
    {
        // A cell corner (multiples of the cell size) with reports 100 m to each side of it.
        var (lat, lon) = (59.30, 18.04);
        var sets = new[] { 45.0, 135, 225, 315 }.Select(b =>
        {
            var (la, lo) = TestIncidents.Offset(lat, lon, 100, b);
            return ClusterLock.SubmissionKeys(la, lo, 2_000, null);
        }).ToList();
        var cornerCell = ClusterLock.SubmissionKeys(lat, lon, 0, null)[0];
        Assert.All(sets, s => Assert.Contains(cornerCell, s));
        // The four reports sit in four different cells, and each report's own cell is locked by all the others.
        var ownCells = new[] { 45.0, 135, 225, 315 }.Select(b =>
        {
            var (la, lo) = TestIncidents.Offset(lat, lon, 100, b);
            return ClusterLock.SubmissionKeys(la, lo, 0, null)[0];
        }).ToList();
        Assert.Equal(4, ownCells.Distinct().Count());
        Assert.All(sets, s => Assert.All(ownCells, c => Assert.Contains(c, s)));
    }

    [Fact]
    public void KeysAreAscendingAndIncludeTheOfficialIncident()
    {
        var official = Guid.NewGuid();
        var keys = ClusterLock.SubmissionKeys(59.33, 18.06, 2_000, official);
        Assert.Equal(keys.Order(), keys);
        Assert.Equal(keys.Distinct().Count(), keys.Length);
        Assert.Contains(ClusterLock.OfficialKey(official), keys);
        Assert.DoesNotContain(ClusterLock.OfficialKey(official), ClusterLock.SubmissionKeys(59.33, 18.06, 2_000, null));
        Assert.Equal(ClusterLock.OfficialKey(official), ClusterLock.OfficialKey(new Guid(official.ToString())));
        // 4–5 cells a side at Stockholm's latitude: one statement either way, never the whole-country fallback.
        Assert.InRange(ClusterLock.SubmissionKeys(59.33, 18.06, 2_000, null).Length, 16, 25);
    }

    [Fact]
    public void ABoxSpanningTooManyCellsFallsBackToTheWholeCountryLock()
    {
        // Near the pole the candidate box spans every longitude.
        Assert.Empty(ClusterLock.SubmissionKeys(89.99, 0, 2_000, null));
        Assert.NotEmpty(ClusterLock.SubmissionKeys(69.0, 20.0, 2_000, null));
        Assert.True(Haversine.BoundingBox(89.99, 0, 2_000).MaxLon == 180);
    }
}
