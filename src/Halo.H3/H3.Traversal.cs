using System.Buffers;
using Halo.H3.Internal;

namespace Halo.H3;

public static partial class H3
{
    /// <summary>Number of cells a k-ring can contain: 3k(k+1)+1 (upstream <c>maxGridDiskSize</c>).</summary>
    /// <param name="k">Distance k ≥ 0.</param>
    /// <returns>The maximum size.</returns>
    public static int MaxGridDiskSize(int k)
    {
        if (k < 0) throw new ArgumentOutOfRangeException(nameof(k), k, "k must be non-negative.");
        long size = 3L * k * (k + 1) + 1;
        if (size > Array.MaxLength) throw new ArgumentOutOfRangeException(nameof(k), k, "k is too large.");
        return (int)size;
    }

    /// <summary>
    /// Cells within grid distance k of the origin, correct around pentagons (upstream <c>gridDisk</c>: the fast
    /// spiral, falling back to a breadth-first search when a pentagon is met). Allocation-free for k ≤ 6.
    /// </summary>
    /// <param name="origin">Origin cell.</param>
    /// <param name="k">Distance k ≥ 0.</param>
    /// <param name="output">Destination of at least <see cref="MaxGridDiskSize"/> cells.</param>
    /// <returns>The number of cells written (fewer than the maximum near pentagons).</returns>
    public static int GridDisk(H3Index origin, int k, Span<H3Index> output)
    {
        int max = MaxGridDiskSize(k);
        if (output.Length < max) throw new ArgumentException($"Destination needs room for {max} cells.", nameof(output));
        if (Traversal.DiskUnsafe(origin.Value, k, output, default)) return max;

        int[]? rented = null;
        Span<int> distances = max <= 256 ? stackalloc int[max] : (rented = ArrayPool<int>.Shared.Rent(max));
        try
        {
            return Traversal.DiskSafe(origin.Value, k, output, distances);
        }
        finally
        {
            if (rented is not null) ArrayPool<int>.Shared.Return(rented);
        }
    }

    /// <summary>Cells within grid distance k of the origin (upstream <c>gridDisk</c>).</summary>
    /// <param name="origin">Origin cell.</param>
    /// <param name="k">Distance k ≥ 0.</param>
    /// <returns>The cells, origin first.</returns>
    public static H3Index[] GridDisk(H3Index origin, int k)
    {
        var buffer = new H3Index[MaxGridDiskSize(k)];
        int n = GridDisk(origin, k, buffer);
        return n == buffer.Length ? buffer : buffer[..n];
    }

    /// <summary>Cells within grid distance k with their distance from the origin (upstream <c>gridDiskDistances</c>).</summary>
    /// <param name="origin">Origin cell.</param>
    /// <param name="k">Distance k ≥ 0.</param>
    /// <param name="output">Destination of at least <see cref="MaxGridDiskSize"/> cells.</param>
    /// <param name="distances">Receives each cell's grid distance; same length requirement.</param>
    /// <returns>The number of cells written.</returns>
    public static int GridDiskDistances(H3Index origin, int k, Span<H3Index> output, Span<int> distances)
    {
        int max = MaxGridDiskSize(k);
        if (output.Length < max || distances.Length < max) throw new ArgumentException($"Destinations need room for {max} cells.");
        if (Traversal.DiskUnsafe(origin.Value, k, output, distances)) return max;
        return Traversal.DiskSafe(origin.Value, k, output, distances);
    }

    /// <summary>Cells within grid distance k grouped by distance (upstream <c>gridDiskDistances</c>).</summary>
    /// <param name="origin">Origin cell.</param>
    /// <param name="k">Distance k ≥ 0.</param>
    /// <returns>Element d holds the cells at distance d.</returns>
    public static H3Index[][] GridDiskDistances(H3Index origin, int k)
    {
        int max = MaxGridDiskSize(k);
        var cells = new H3Index[max];
        var distances = new int[max];
        int n = GridDiskDistances(origin, k, cells, distances);
        var rings = new List<H3Index>[k + 1];
        for (int d = 0; d <= k; d++) rings[d] = [];
        for (int i = 0; i < n; i++) rings[distances[i]].Add(cells[i]);
        return [.. rings.Select(r => r.ToArray())];
    }

    /// <summary>
    /// Cells at exactly grid distance k (upstream <c>gridRing</c>): the fast walk, falling back to a filtered
    /// k-ring when pentagonal distortion is met.
    /// </summary>
    /// <param name="origin">Origin cell.</param>
    /// <param name="k">Distance k ≥ 0.</param>
    /// <returns>The ring's cells.</returns>
    public static H3Index[] GridRing(H3Index origin, int k)
    {
        if (k < 0) throw new ArgumentOutOfRangeException(nameof(k), k, "k must be non-negative.");
        var ring = new H3Index[k == 0 ? 1 : 6 * k];
        if (Traversal.RingUnsafe(origin.Value, k, ring)) return ring;
        int max = MaxGridDiskSize(k);
        var cells = new H3Index[max];
        var distances = new int[max];
        int n = Traversal.DiskSafe(origin.Value, k, cells, distances);
        var result = new List<H3Index>(6 * k);
        for (int i = 0; i < n; i++)
        {
            if (distances[i] == k) result.Add(cells[i]);
        }
        return [.. result];
    }

    /// <summary>Whether two cells share an edge (upstream <c>areNeighborCells</c>). A cell is not its own neighbour.</summary>
    /// <param name="origin">First cell.</param>
    /// <param name="destination">Second cell.</param>
    /// <returns>True for neighbours.</returns>
    /// <exception cref="H3Exception">The cells have different resolutions.</exception>
    public static bool AreNeighborCells(H3Index origin, H3Index destination)
    {
        if (origin.Resolution != destination.Resolution) throw new H3Exception(H3Error.ResolutionMismatch, "Cells have different resolutions.");
        if (origin == destination) return false;
        for (int dir = 1; dir < 7; dir++)
        {
            int rotations = 0;
            if (Traversal.NeighborRotations(origin.Value, dir, ref rotations, out ulong n) == 0 && n == destination.Value) return true;
        }
        return false;
    }

    /// <summary>
    /// Grid distance between two cells via local IJ coordinates (upstream <c>gridDistance</c>). Fails where upstream
    /// fails: different resolutions, cells too far apart (base cells not adjacent) or unfolding across a pentagon.
    /// </summary>
    /// <param name="origin">First cell.</param>
    /// <param name="destination">Second cell.</param>
    /// <param name="distance">The distance on success, otherwise -1.</param>
    /// <returns>Whether the distance is defined.</returns>
    public static bool TryGridDistance(H3Index origin, H3Index destination, out long distance)
    {
        distance = -1;
        if (!LocalIj.CellToLocalIjk(origin.Value, origin.Value, out CoordIjk a)) return false;
        if (!LocalIj.CellToLocalIjk(origin.Value, destination.Value, out CoordIjk b)) return false;
        distance = CoordIjk.Distance(a, b);
        return true;
    }

    /// <summary>Grid distance between two cells (upstream <c>gridDistance</c>).</summary>
    /// <param name="origin">First cell.</param>
    /// <param name="destination">Second cell.</param>
    /// <returns>The number of steps.</returns>
    /// <exception cref="H3Exception">Where upstream fails; see <see cref="TryGridDistance"/>.</exception>
    public static long GridDistance(H3Index origin, H3Index destination) =>
        TryGridDistance(origin, destination, out long d)
            ? d
            : throw new H3Exception(H3Error.Failed, $"Grid distance between {origin} and {destination} is undefined (too far apart or across a pentagon).");
}
