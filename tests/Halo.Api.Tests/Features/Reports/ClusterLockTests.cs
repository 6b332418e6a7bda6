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
            var keys = ClusterLock.SubmissionKeys(lat, lon, 2_000);
            // A cluster centroid anywhere in the 2 km disk must be guarded by one of the keys.
            var (plat, plon) = TestIncidents.Offset(lat, lon, rng.NextDouble() * 2_000, rng.NextDouble() * 360);
            var own = ClusterLock.SubmissionKeys(plat, plon, 0);
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
            return ClusterLock.SubmissionKeys(la, lo, 2_000);
        }).ToList();
        var cornerCell = ClusterLock.SubmissionKeys(lat, lon, 0)[0];
        Assert.All(sets, s => Assert.Contains(cornerCell, s));
        // The four reports sit in four different cells, and each report's own cell is locked by all the others.
        var ownCells = new[] { 45.0, 135, 225, 315 }.Select(b =>
        {
            var (la, lo) = TestIncidents.Offset(lat, lon, 100, b);
            return ClusterLock.SubmissionKeys(la, lo, 0)[0];
        }).ToList();
        Assert.Equal(4, ownCells.Distinct().Count());
        Assert.All(sets, s => Assert.All(ownCells, c => Assert.Contains(c, s)));
    }

    [Fact]
    public void KeysAreAscendingAndEveryOfficialKeySortsAfterEveryAreaKey()
    {
        var keys = ClusterLock.SubmissionKeys(59.33, 18.06, 2_000);
        Assert.Equal(keys.Order(), keys);
        Assert.Equal(keys.Distinct().Count(), keys.Length);
        // The official key is taken after the area keys: it must be the largest for the global order to hold.
        var south = ClusterLock.SubmissionKeys(55.4, 13.0, 2_000);
        var north = ClusterLock.SubmissionKeys(69.0, 20.0, 2_000);
        foreach (var official in Enumerable.Range(0, 1000).Select(_ => Guid.NewGuid()))
            Assert.True(ClusterLock.OfficialKey(official) > keys.Concat(south).Concat(north).Max());
        var id = Guid.NewGuid();
        Assert.Equal(ClusterLock.OfficialKey(id), ClusterLock.OfficialKey(new Guid(id.ToString())));
        // 4–5 cells a side at Stockholm's latitude: one statement either way, never the whole-country fallback.
        Assert.InRange(keys.Length, 16, 25);
    }

    [Fact]
    public void ABoxSpanningTooManyCellsFallsBackToTheWholeCountryLock()
    {
        // Near the pole the candidate box spans every longitude.
        Assert.Empty(ClusterLock.SubmissionKeys(89.99, 0, 2_000));
        Assert.NotEmpty(ClusterLock.SubmissionKeys(69.0, 20.0, 2_000));
        Assert.True(Haversine.BoundingBox(89.99, 0, 2_000).MaxLon == 180);
    }
}
