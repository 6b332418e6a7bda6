namespace Halo.H3.Internal;

/// <summary>Local IJK coordinates anchored at an origin cell (upstream localij.c, cellToLocalIjk).</summary>
internal static class LocalIj
{
    // origin leading digit → index leading digit → 60° cw rotations; -1 invalid (k axis)
    private static ReadOnlySpan<sbyte> PentagonRotations => [
        0, -1, 0, 0, 0, 0, 0,
        -1, -1, -1, -1, -1, -1, -1,
        0, -1, 0, 0, 0, 1, 0,
        0, -1, 0, 0, 1, 1, 0,
        0, -1, 0, 5, 0, 0, 0,
        0, -1, 5, 5, 0, 0, 0,
        0, -1, 0, 0, 0, 0, 0,
    ];

    // Unfolding across more than one icosahedron face around a pentagon is not supported (as upstream).
    private static ReadOnlySpan<byte> FailedDirections => [
        0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 1, 1, 0,
        0, 0, 0, 0, 1, 0, 1,
        0, 0, 1, 1, 0, 0, 0,
        0, 0, 1, 0, 0, 0, 1,
        0, 0, 0, 1, 0, 1, 0,
    ];

    /// <summary>IJK+ coordinates of <paramref name="h3"/> relative to <paramref name="origin"/>; false where upstream fails.</summary>
    internal static bool CellToLocalIjk(ulong origin, ulong h3, out CoordIjk result)
    {
        result = default;
        int res = IndexOps.GetResolution(origin);
        if (res != IndexOps.GetResolution(h3)) return false;

        int originBaseCell = IndexOps.GetBaseCell(origin);
        int baseCell = IndexOps.GetBaseCell(h3);
        if (originBaseCell >= Constants.NumBaseCells || baseCell >= Constants.NumBaseCells) return false;

        int dir = 0, revDir = 0;
        if (originBaseCell != baseCell)
        {
            dir = BaseCells.Direction(originBaseCell, baseCell);
            if (dir == 7) return false; // base cells not neighbours: cannot unfold
            revDir = BaseCells.Direction(baseCell, originBaseCell);
        }

        bool originOnPent = BaseCells.IsPentagon(originBaseCell);
        bool indexOnPent = BaseCells.IsPentagon(baseCell);
        ReadOnlySpan<byte> rotCw = IndexOps.RotateCw;

        if (dir != 0)
        {
            // rotate the index into the orientation of the origin base cell
            int baseCellRotations = BaseCells.NeighborRotation(originBaseCell, dir);
            for (int i = 0; i < baseCellRotations; i++)
            {
                if (indexOnPent)
                {
                    h3 = IndexOps.RotatePent60Cw(h3);
                    revDir = rotCw[revDir];
                    if (revDir == 1) revDir = rotCw[revDir];
                }
                else
                {
                    h3 = IndexOps.Rotate60Cw(h3);
                    revDir = rotCw[revDir];
                }
            }
        }

        // Face is unused: this produces coordinates in the base cell's coordinate space.
        var indexFijk = new FaceIjk(0, default);
        IndexOps.ToFaceIjkWithInitializedFijk(h3, ref indexFijk);

        if (dir != 0)
        {
            int pentagonRotations = 0, directionRotations = 0;
            if (originOnPent)
            {
                int originLeadingDigit = IndexOps.LeadingNonZeroDigit(origin);
                if (FailedDirections[originLeadingDigit * 7 + dir] != 0) return false;
                directionRotations = PentagonRotations[originLeadingDigit * 7 + dir];
                pentagonRotations = directionRotations;
            }
            else if (indexOnPent)
            {
                int indexLeadingDigit = IndexOps.LeadingNonZeroDigit(h3);
                if (FailedDirections[indexLeadingDigit * 7 + revDir] != 0) return false;
                pentagonRotations = PentagonRotations[revDir * 7 + indexLeadingDigit];
            }

            if (pentagonRotations < 0 || directionRotations < 0) return false;
            for (int i = 0; i < pentagonRotations; i++) indexFijk.Coord.Rotate60Cw();

            var offset = new CoordIjk(0, 0, 0);
            offset.Neighbor(dir);
            for (int r = res - 1; r >= 0; r--)
            {
                if (FaceGeometry.IsClassIII(r + 1)) offset.DownAp7();
                else offset.DownAp7r();
            }

            for (int i = 0; i < directionRotations; i++) offset.Rotate60Cw();

            indexFijk.Coord = CoordIjk.Add(indexFijk.Coord, offset);
            indexFijk.Coord.Normalize();
        }
        else if (originOnPent && indexOnPent)
        {
            int originLeadingDigit = IndexOps.LeadingNonZeroDigit(origin);
            int indexLeadingDigit = IndexOps.LeadingNonZeroDigit(h3);
            if (FailedDirections[originLeadingDigit * 7 + indexLeadingDigit] != 0) return false;
            int rotations = PentagonRotations[originLeadingDigit * 7 + indexLeadingDigit];
            if (rotations < 0) return false;
            for (int i = 0; i < rotations; i++) indexFijk.Coord.Rotate60Cw();
        }

        result = indexFijk.Coord;
        return true;
    }
}
