using System.Numerics;
using System.Runtime.CompilerServices;

namespace Halo.H3.Internal;

/// <summary>Bit-level H3 index manipulation and FaceIJK conversion (upstream h3Index.c).</summary>
internal static class IndexOps
{
    internal const int ModeOffset = 59;
    internal const int ResOffset = 52;
    internal const int BaseCellOffset = 45;
    internal const ulong ResMask = 15UL << ResOffset;
    internal const ulong BaseCellMask = 127UL << BaseCellOffset;
    internal const ulong DigitsMask = (1UL << 45) - 1;
    /// <summary>Cell mode, resolution 0, base cell 0, all digits 7.</summary>
    internal const ulong CellInit = (1UL << ModeOffset) | DigitsMask;

    // 60° digit rotations: k → ik → i → ij → j → jk → k (ccw).
    internal static ReadOnlySpan<byte> RotateCcw => [0, 5, 3, 1, 6, 4, 2, 7];
    internal static ReadOnlySpan<byte> RotateCw => [0, 3, 6, 2, 5, 1, 4, 7];

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static int GetResolution(ulong h) => (int)((h >> ResOffset) & 15);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static int GetBaseCell(ulong h) => (int)((h >> BaseCellOffset) & 127);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static int GetDigit(ulong h, int r) => (int)((h >> ((15 - r) * 3)) & 7);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static ulong SetDigit(ulong h, int r, int digit)
    {
        int shift = (15 - r) * 3;
        return (h & ~(7UL << shift)) | ((ulong)digit << shift);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static ulong SetResolution(ulong h, int res) => (h & ~ResMask) | ((ulong)res << ResOffset);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static ulong SetBaseCell(ulong h, int bc) => (h & ~BaseCellMask) | ((ulong)bc << BaseCellOffset);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static ulong Make(int res, int baseCell, int digit)
    {
        ulong h = (1UL << ModeOffset) | ((ulong)res << ResOffset) | ((ulong)baseCell << BaseCellOffset) | DigitsMask;
        for (int r = 1; r <= res; r++) h = SetDigit(h, r, digit);
        return h;
    }

    /// <summary>First non-zero digit, or 0 when all digits up to the resolution are 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static int LeadingNonZeroDigit(ulong h)
    {
        int res = GetResolution(h);
        if (res == 0) return 0;
        // digits 1..res occupy bits [45 - 3*res, 45); find the highest set bit in that window
        ulong window = (h & DigitsMask) >> (45 - 3 * res);
        if (window == 0) return 0;
        int top = 63 - BitOperations.LeadingZeroCount(window);
        int digitIndexFromLow = top / 3;
        return (int)((window >> (digitIndexFromLow * 3)) & 7);
    }

    // RotateCcwN[n * 8 + d]: digit d rotated n times 60° ccw (n = 0..5).
    private static readonly byte[] RotateCcwN = BuildRotateCcwN();

    private static byte[] BuildRotateCcwN()
    {
        var t = new byte[48];
        for (int d = 0; d < 8; d++) t[d] = (byte)d;
        for (int n = 1; n < 6; n++)
        {
            for (int d = 0; d < 8; d++) t[n * 8 + d] = RotateCcw[t[(n - 1) * 8 + d]];
        }
        return t;
    }

    /// <summary>Rotates all digits n × 60° ccw in one pass (hexagon base cells).</summary>
    internal static ulong Rotate60CcwN(ulong h, int n)
    {
        n %= 6;
        if (n == 0) return h;
        ReadOnlySpan<byte> rot = RotateCcwN.AsSpan(n * 8, 8);
        int res = GetResolution(h);
        for (int r = 1; r <= res; r++)
        {
            int shift = (15 - r) * 3;
            ulong d = (h >> shift) & 7;
            h = (h & ~(7UL << shift)) | ((ulong)rot[(int)d] << shift);
        }
        return h;
    }

    internal static ulong Rotate60Ccw(ulong h)
    {
        ReadOnlySpan<byte> rot = RotateCcw;
        for (int r = 1, res = GetResolution(h); r <= res; r++) h = SetDigit(h, r, rot[GetDigit(h, r)]);
        return h;
    }

    internal static ulong Rotate60Cw(ulong h)
    {
        ReadOnlySpan<byte> rot = RotateCw;
        for (int r = 1, res = GetResolution(h); r <= res; r++) h = SetDigit(h, r, rot[GetDigit(h, r)]);
        return h;
    }

    internal static ulong RotatePent60Ccw(ulong h)
    {
        ReadOnlySpan<byte> rot = RotateCcw;
        bool foundFirstNonZero = false;
        for (int r = 1, res = GetResolution(h); r <= res; r++)
        {
            h = SetDigit(h, r, rot[GetDigit(h, r)]);
            if (!foundFirstNonZero && GetDigit(h, r) != 0)
            {
                foundFirstNonZero = true;
                // skip the deleted k-axes subsequence
                if (LeadingNonZeroDigit(h) == 1) h = Rotate60Ccw(h);
            }
        }
        return h;
    }

    internal static ulong RotatePent60Cw(ulong h)
    {
        ReadOnlySpan<byte> rot = RotateCw;
        bool foundFirstNonZero = false;
        for (int r = 1, res = GetResolution(h); r <= res; r++)
        {
            h = SetDigit(h, r, rot[GetDigit(h, r)]);
            if (!foundFirstNonZero && GetDigit(h, r) != 0)
            {
                foundFirstNonZero = true;
                if (LeadingNonZeroDigit(h) == 1) h = Rotate60Cw(h);
            }
        }
        return h;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static bool IsPentagon(ulong h) => BaseCells.IsPentagon(GetBaseCell(h)) && LeadingNonZeroDigit(h) == 0;

    // Digit of an IJ difference (di, dj) in {-1, 0, 1}², indexed (di + 1) * 3 + (dj + 1); 7 = not a unit vector.
    private static ReadOnlySpan<byte> IjDiffToDigit => [1, 3, 7, 5, 0, 2, 7, 4, 6];

    /// <summary>
    /// FaceIJK address to index (upstream _faceIjkToH3); 0 when out of range. Works in IJ coordinates
    /// (i − k, j − k), which normalization leaves unchanged, so each aperture step is a few integer ops.
    /// </summary>
    internal static ulong FaceIjkToH3(in FaceIjk fijk, int res)
    {
        ulong h = CellInit | ((ulong)res << ResOffset);
        int i = fijk.Coord.I - fijk.Coord.K, j = fijk.Coord.J - fijk.Coord.K;
        ReadOnlySpan<byte> digitOf = IjDiffToDigit;
        for (int r = res - 1; r >= 0; r--)
        {
            int pi, pj, ci, cj;
            if (((r + 1) & 1) == 1)
            {
                // Class III: parent in the ccw aperture 7 grid, then its centre back down
                pi = CoordIjk.DivRound7(3 * i - j);
                pj = CoordIjk.DivRound7(i + 2 * j);
                ci = 2 * pi + pj;
                cj = 3 * pj - pi;
            }
            else
            {
                pi = CoordIjk.DivRound7(2 * i + j);
                pj = CoordIjk.DivRound7(3 * j - i);
                ci = 3 * pi - pj;
                cj = pi + 2 * pj;
            }

            int di = i - ci, dj = j - cj;
            int digit = (uint)(di + 1) <= 2 && (uint)(dj + 1) <= 2 ? digitOf[(di + 1) * 3 + dj + 1] : 7;
            h = SetDigit(h, r + 1, digit);
            i = pi;
            j = pj;
        }

        var ijk = new CoordIjk(i, j, 0);
        ijk.Normalize();
        if (ijk.I > Constants.MaxFaceCoord || ijk.J > Constants.MaxFaceCoord || ijk.K > Constants.MaxFaceCoord) return 0;
        if (res == 0) return SetBaseCell(h, BaseCells.FromFaceIjk(fijk.Face, ijk));

        int baseCell = BaseCells.FromFaceIjk(fijk.Face, ijk);
        h = SetBaseCell(h, baseCell);
        int numRots = BaseCells.RotationsFromFaceIjk(fijk.Face, ijk);
        if (BaseCells.IsPentagon(baseCell))
        {
            // force rotation out of the missing k-axes subsequence
            if (LeadingNonZeroDigit(h) == 1)
            {
                h = BaseCells.IsCwOffset(baseCell, fijk.Face) ? Rotate60Cw(h) : Rotate60Ccw(h);
            }
            for (int n = 0; n < numRots; n++) h = RotatePent60Ccw(h);
        }
        else
        {
            h = Rotate60CcwN(h, numRots);
        }

        return h;
    }

    /// <summary>Walks the digits down from an initialized base cell FaceIJK; true if an overage is possible.</summary>
    internal static bool ToFaceIjkWithInitializedFijk(ulong h, ref FaceIjk fijk)
    {
        int res = GetResolution(h);
        bool possibleOverage = true;
        if (!BaseCells.IsPentagon(GetBaseCell(h)) && (res == 0 || (fijk.Coord.I == 0 && fijk.Coord.J == 0 && fijk.Coord.K == 0)))
            possibleOverage = false;

        int i = fijk.Coord.I - fijk.Coord.K, j = fijk.Coord.J - fijk.Coord.K;
        for (int r = 1; r <= res; r++)
        {
            int ni, nj;
            if ((r & 1) == 1)
            {
                ni = 2 * i + j; // downAp7 (ccw) in IJ
                nj = 3 * j - i;
            }
            else
            {
                ni = 3 * i - j; // downAp7r (cw) in IJ
                nj = i + 2 * j;
            }

            // step to the child in the digit's direction: unit vector bits i = 4, j = 2, k = 1
            int d = GetDigit(h, r);
            if (d != 0 && d != 7)
            {
                int k = d & 1;
                ni += ((d >> 2) & 1) - k;
                nj += ((d >> 1) & 1) - k;
            }
            i = ni;
            j = nj;
        }

        var c = new CoordIjk(i, j, 0);
        c.Normalize();
        fijk.Coord = c;
        return possibleOverage;
    }

    /// <summary>Index to its FaceIJK address (upstream _h3ToFaceIjk).</summary>
    internal static FaceIjk ToFaceIjk(ulong h)
    {
        int baseCell = GetBaseCell(h);
        if (baseCell >= Constants.NumBaseCells) throw new ArgumentException("Invalid base cell.", nameof(h));

        bool pent = BaseCells.IsPentagon(baseCell);
        // all of sub-sequence 5 of a pentagon needs rotating (and some of 4, below)
        if (pent && LeadingNonZeroDigit(h) == 5) h = Rotate60Cw(h);

        FaceIjk fijk = BaseCells.HomeFijk(baseCell);
        if (!ToFaceIjkWithInitializedFijk(h, ref fijk)) return fijk;

        CoordIjk origIjk = fijk.Coord;
        int res = GetResolution(h);
        int adjRes = res;
        if (FaceGeometry.IsClassIII(res))
        {
            fijk.Coord.DownAp7r();
            adjRes++;
        }

        bool pentLeading4 = pent && LeadingNonZeroDigit(h) == 4;
        if (FaceGeometry.AdjustOverageClassII(ref fijk, adjRes, pentLeading4, false) != FaceGeometry.Overage.None)
        {
            // pentagon base cells may need secondary overage adjustment
            if (pent)
            {
                while (FaceGeometry.AdjustOverageClassII(ref fijk, adjRes, false, false) != FaceGeometry.Overage.None)
                {
                }
            }
            if (adjRes != res) fijk.Coord.UpAp7r();
        }
        else if (adjRes != res)
        {
            fijk.Coord = origIjk;
        }

        return fijk;
    }

    /// <summary>Upstream isValidCell, bit-trick formulation.</summary>
    internal static bool IsValidCell(ulong h)
    {
        if ((h >> 56) != 0b00001000) return false;
        int res = GetResolution(h);
        int bc = GetBaseCell(h);
        if (bc >= Constants.NumBaseCells) return false;

        // no digit 1..res may be 7
        const ulong mhi = 0b100100100100100100100100100100100100100100100;
        const ulong mlo = mhi >> 2;
        int shift = 3 * (15 - res);
        ulong d = h >> shift << shift;
        if ((d & mhi & (~d - mlo)) != 0) return false;

        // all digits after res must be 7
        if (res < 15)
        {
            int s = 19 + 3 * res;
            ulong x = ~h << s >> s;
            if (x != 0) return false;
        }

        // a pentagon's first non-zero digit may not be 1 (deleted subsequence)
        if (BaseCells.IsPentagon(bc))
        {
            ulong low = h << 19 >> 19;
            if (low != 0 && (63 - BitOperations.LeadingZeroCount(low)) % 3 == 0) return false;
        }

        return true;
    }
}
