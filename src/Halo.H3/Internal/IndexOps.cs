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

    /// <summary>FaceIJK address to index (upstream _faceIjkToH3); 0 when out of range.</summary>
    internal static ulong FaceIjkToH3(in FaceIjk fijk, int res)
    {
        ulong h = CellInit | ((ulong)res << ResOffset);
        CoordIjk ijk = fijk.Coord;
        if (res == 0)
        {
            if (ijk.I > Constants.MaxFaceCoord || ijk.J > Constants.MaxFaceCoord || ijk.K > Constants.MaxFaceCoord) return 0;
            return SetBaseCell(h, BaseCells.FromFaceIjk(fijk.Face, ijk));
        }

        for (int r = res - 1; r >= 0; r--)
        {
            CoordIjk last = ijk;
            CoordIjk lastCenter;
            if (FaceGeometry.IsClassIII(r + 1))
            {
                ijk.UpAp7();
                lastCenter = ijk;
                lastCenter.DownAp7();
            }
            else
            {
                ijk.UpAp7r();
                lastCenter = ijk;
                lastCenter.DownAp7r();
            }

            CoordIjk diff = CoordIjk.Sub(last, lastCenter);
            h = SetDigit(h, r + 1, CoordIjk.UnitToDigit(diff));
        }

        if (ijk.I > Constants.MaxFaceCoord || ijk.J > Constants.MaxFaceCoord || ijk.K > Constants.MaxFaceCoord) return 0;

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
            for (int i = 0; i < numRots; i++) h = RotatePent60Ccw(h);
        }
        else
        {
            for (int i = 0; i < numRots; i++) h = Rotate60Ccw(h);
        }

        return h;
    }

    /// <summary>Walks the digits down from an initialized base cell FaceIJK; true if an overage is possible.</summary>
    internal static bool ToFaceIjkWithInitializedFijk(ulong h, ref FaceIjk fijk)
    {
        ref CoordIjk ijk = ref fijk.Coord;
        int res = GetResolution(h);
        bool possibleOverage = true;
        if (!BaseCells.IsPentagon(GetBaseCell(h)) && (res == 0 || (ijk.I == 0 && ijk.J == 0 && ijk.K == 0)))
            possibleOverage = false;

        for (int r = 1; r <= res; r++)
        {
            if (FaceGeometry.IsClassIII(r)) ijk.DownAp7();
            else ijk.DownAp7r();
            ijk.Neighbor(GetDigit(h, r));
        }

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
