namespace Halo.H3.Tests;

/// <summary>The hot-path overloads promise not to allocate; checked with the thread's allocation counter.</summary>
public sealed class AllocationTests
{
    private static long AllocatedBy(Action action)
    {
        action(); // JIT and static initialisation first
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++) action();
        return GC.GetAllocatedBytesForCurrentThread() - before;
    }

    [Fact]
    public void IndexingSpanOverloadsDoNotAllocate()
    {
        var p = LatLng.FromDegrees(57.7089, 11.9746);
        H3Index cell = H3.LatLngToCell(p, 9);
        var boundary = new LatLng[H3.MaxCellBoundaryVertices];
        var disk = new H3Index[H3.MaxGridDiskSize(2)];
        H3Index pentagon = H3.GetPentagons(9)[3];

        Assert.Equal(0, AllocatedBy(() => H3.LatLngToCell(p, 9)));
        Assert.Equal(0, AllocatedBy(() => H3.CellToLatLng(cell)));
        Assert.Equal(0, AllocatedBy(() => H3.CellToBoundary(cell, boundary)));
        Assert.Equal(0, AllocatedBy(() => H3.CellToBoundary(pentagon, boundary)));
        Assert.Equal(0, AllocatedBy(() => H3.GridDisk(cell, 2, disk)));
        Assert.Equal(0, AllocatedBy(() => H3.GridDisk(pentagon, 2, disk)));
        Assert.Equal(0, AllocatedBy(() => H3.CellAreaKm2(cell)));
    }
}
