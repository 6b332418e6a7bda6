using Halo.H3.Internal;

namespace Halo.H3;

public static partial class H3
{
    /// <summary>Parent (or coarser ancestor) of a cell (upstream <c>cellToParent</c>).</summary>
    /// <param name="cell">The cell.</param>
    /// <param name="parentRes">Resolution of the parent, not finer than the cell's.</param>
    /// <returns>The ancestor.</returns>
    /// <exception cref="ArgumentOutOfRangeException">Resolution outside 0–15 or finer than the cell's.</exception>
    public static H3Index CellToParent(H3Index cell, int parentRes)
    {
        int childRes = cell.Resolution;
        if ((uint)parentRes > Constants.MaxRes || parentRes > childRes)
            throw new ArgumentOutOfRangeException(nameof(parentRes), parentRes, "Parent resolution must be 0–15 and not finer than the cell's.");
        return new H3Index(ParentUnchecked(cell.Value, parentRes));
    }

    internal static ulong ParentUnchecked(ulong h, int parentRes)
    {
        int childRes = IndexOps.GetResolution(h);
        if (parentRes == childRes) return h;
        ulong p = IndexOps.SetResolution(h, parentRes);
        // digits parentRes+1..childRes become 7
        int lowShift = (15 - childRes) * 3;
        int count = (childRes - parentRes) * 3;
        ulong mask = ((1UL << count) - 1) << lowShift;
        return p | mask;
    }

    /// <summary>Number of children of a cell at a finer resolution (upstream <c>cellToChildrenSize</c>).</summary>
    /// <param name="cell">The cell.</param>
    /// <param name="childRes">Child resolution, not coarser than the cell's.</param>
    /// <returns>7^n for hexagons, 1 + 5·(7^n − 1)/6 for pentagons.</returns>
    public static long CellToChildrenSize(H3Index cell, int childRes)
    {
        CheckChildRes(cell, childRes);
        int n = childRes - cell.Resolution;
        long p = 1;
        for (int i = 0; i < n; i++) p *= 7;
        return cell.IsPentagon ? 1 + 5 * (p - 1) / 6 : p;
    }

    private static void CheckChildRes(H3Index cell, int childRes)
    {
        if (childRes < cell.Resolution || childRes > Constants.MaxRes)
            throw new ArgumentOutOfRangeException(nameof(childRes), childRes, "Child resolution must be 0–15 and not coarser than the cell's.");
    }

    /// <summary>Centre child of a cell (upstream <c>cellToCenterChild</c>).</summary>
    /// <param name="cell">The cell.</param>
    /// <param name="childRes">Child resolution, not coarser than the cell's.</param>
    /// <returns>The centre child.</returns>
    public static H3Index CellToCenterChild(H3Index cell, int childRes)
    {
        CheckChildRes(cell, childRes);
        return new H3Index(CenterChildUnchecked(cell.Value, childRes));
    }

    internal static ulong CenterChildUnchecked(ulong h, int childRes)
    {
        int res = IndexOps.GetResolution(h);
        if (childRes == res) return h;
        int lowShift = (15 - childRes) * 3;
        int count = (childRes - res) * 3;
        ulong mask = ((1UL << count) - 1) << lowShift;
        return IndexOps.SetResolution(h & ~mask, childRes);
    }

    /// <summary>All children of a cell at a finer resolution, in upstream order (upstream <c>cellToChildren</c>).</summary>
    /// <param name="cell">The cell.</param>
    /// <param name="childRes">Child resolution.</param>
    /// <returns>The children.</returns>
    public static H3Index[] CellToChildren(H3Index cell, int childRes)
    {
        long size = CellToChildrenSize(cell, childRes);
        if (size > Array.MaxLength) throw new ArgumentOutOfRangeException(nameof(childRes), "Too many children for an array.");
        var result = new H3Index[size];
        WriteChildren(cell.Value, childRes, result);
        return result;
    }

    /// <summary>Writes the children of a cell into a span (upstream <c>cellToChildren</c>). Allocation-free.</summary>
    /// <param name="cell">The cell.</param>
    /// <param name="childRes">Child resolution.</param>
    /// <param name="children">Destination of at least <see cref="CellToChildrenSize"/> elements.</param>
    /// <returns>The number written.</returns>
    public static int CellToChildren(H3Index cell, int childRes, Span<H3Index> children)
    {
        long size = CellToChildrenSize(cell, childRes);
        if (children.Length < size) throw new ArgumentException($"Destination needs room for {size} cells.", nameof(children));
        return WriteChildren(cell.Value, childRes, children);
    }

    private static int WriteChildren(ulong parent, int childRes, Span<H3Index> output)
    {
        int parentRes = IndexOps.GetResolution(parent);
        bool pent = IndexOps.IsPentagon(parent);
        ulong child = CenterChildUnchecked(parent, childRes);
        int n = 0;
        output[n++] = new H3Index(child);
        if (childRes == parentRes) return n;

        // Count in base 7 over digits parentRes+1..childRes, like upstream's child iterator,
        // skipping a pentagon's deleted k subsequence (first non-zero new digit 1).
        while (true)
        {
            int r = childRes;
            while (true)
            {
                int d = IndexOps.GetDigit(child, r);
                if (d < 6)
                {
                    child = IndexOps.SetDigit(child, r, d + 1);
                    break;
                }
                child = IndexOps.SetDigit(child, r, 0);
                r--;
                if (r == parentRes) return n;
            }

            if (pent && IsInDeletedSubsequence(child, parentRes, childRes)) continue;
            output[n++] = new H3Index(child);
        }
    }

    private static bool IsInDeletedSubsequence(ulong child, int parentRes, int childRes)
    {
        for (int r = parentRes + 1; r <= childRes; r++)
        {
            int d = IndexOps.GetDigit(child, r);
            if (d != 0) return d == 1;
        }
        return false;
    }
}
