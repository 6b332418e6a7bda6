namespace Halo.H3.Internal;

/// <summary>Neighbour traversal on the index digits (upstream algos.c / localij.c).</summary>
internal static class Traversal
{
    internal const int ErrPentagon = 9;
    internal const int ErrFailed = 1;
    internal const int ErrCellInvalid = 5;

    // Counter-clockwise walk around a ring: j, jk, k, ik, i, ij.
    internal static ReadOnlySpan<byte> Directions => [2, 3, 1, 5, 4, 6];
    internal const int NextRingDirection = 4;

    // [current digit * 7 + direction] → new digit / adjustment carried to the coarser level.
    private static ReadOnlySpan<byte> NewDigitII => [
        0, 1, 2, 3, 4, 5, 6,
        1, 4, 3, 6, 5, 2, 0,
        2, 3, 1, 4, 6, 0, 5,
        3, 6, 4, 5, 0, 1, 2,
        4, 5, 6, 0, 2, 3, 1,
        5, 2, 0, 1, 3, 6, 4,
        6, 0, 5, 2, 1, 4, 3,
    ];

    private static ReadOnlySpan<byte> NewAdjustmentII => [
        0, 0, 0, 0, 0, 0, 0,
        0, 1, 0, 1, 0, 5, 0,
        0, 0, 2, 3, 0, 0, 2,
        0, 1, 3, 3, 0, 0, 0,
        0, 0, 0, 0, 4, 4, 6,
        0, 5, 0, 0, 4, 5, 0,
        0, 0, 2, 0, 6, 0, 6,
    ];

    private static ReadOnlySpan<byte> NewDigitIII => [
        0, 1, 2, 3, 4, 5, 6,
        1, 2, 3, 4, 5, 6, 0,
        2, 3, 4, 5, 6, 0, 1,
        3, 4, 5, 6, 0, 1, 2,
        4, 5, 6, 0, 1, 2, 3,
        5, 6, 0, 1, 2, 3, 4,
        6, 0, 1, 2, 3, 4, 5,
    ];

    private static ReadOnlySpan<byte> NewAdjustmentIII => [
        0, 0, 0, 0, 0, 0, 0,
        0, 1, 0, 3, 0, 1, 0,
        0, 0, 2, 2, 0, 0, 6,
        0, 3, 2, 3, 0, 0, 0,
        0, 0, 0, 0, 4, 5, 4,
        0, 1, 0, 0, 5, 5, 0,
        0, 0, 6, 0, 4, 0, 6,
    ];

    /// <summary>
    /// Neighbour of <paramref name="origin"/> in direction <paramref name="dir"/>, tracking the ccw rotations
    /// accumulated by crossing base cells (upstream h3NeighborRotations). Returns 0 or an error code.
    /// </summary>
    internal static int NeighborRotations(ulong origin, int dir, ref int rotations, out ulong result)
    {
        ulong current = origin;
        result = 0;
        if ((uint)dir >= 7) return ErrFailed;

        ReadOnlySpan<byte> rotCcw = IndexOps.RotateCcw;
        rotations %= 6;
        for (int i = 0; i < rotations; i++) dir = rotCcw[dir];

        int newRotations = 0;
        int oldBaseCell = IndexOps.GetBaseCell(current);
        if (oldBaseCell >= Constants.NumBaseCells) return ErrCellInvalid;
        int oldLeadingDigit = IndexOps.LeadingNonZeroDigit(current);

        int r = IndexOps.GetResolution(current) - 1;
        while (true)
        {
            if (r == -1)
            {
                current = IndexOps.SetBaseCell(current, BaseCells.Neighbor(oldBaseCell, dir));
                newRotations = BaseCells.NeighborRotation(oldBaseCell, dir);
                if (IndexOps.GetBaseCell(current) == Constants.InvalidBaseCell)
                {
                    // the deleted k vertex at the base cell level: this edge borders a different neighbour
                    current = IndexOps.SetBaseCell(current, BaseCells.Neighbor(oldBaseCell, 5));
                    newRotations = BaseCells.NeighborRotation(oldBaseCell, 5);
                    current = IndexOps.Rotate60Ccw(current);
                    rotations++;
                }
                break;
            }

            int oldDigit = IndexOps.GetDigit(current, r + 1);
            if (oldDigit == 7) return ErrCellInvalid;
            int nextDir;
            if (FaceGeometry.IsClassIII(r + 1))
            {
                current = IndexOps.SetDigit(current, r + 1, NewDigitII[oldDigit * 7 + dir]);
                nextDir = NewAdjustmentII[oldDigit * 7 + dir];
            }
            else
            {
                current = IndexOps.SetDigit(current, r + 1, NewDigitIII[oldDigit * 7 + dir]);
                nextDir = NewAdjustmentIII[oldDigit * 7 + dir];
            }

            if (nextDir != 0)
            {
                dir = nextDir;
                r--;
            }
            else
            {
                break;
            }
        }

        int newBaseCell = IndexOps.GetBaseCell(current);
        if (BaseCells.IsPentagon(newBaseCell))
        {
            bool alreadyAdjustedKSubsequence = false;
            // force rotation out of the missing k-axes subsequence
            if (IndexOps.LeadingNonZeroDigit(current) == 1)
            {
                if (oldBaseCell != newBaseCell)
                {
                    current = BaseCells.IsCwOffset(newBaseCell, BaseCells.HomeFace(oldBaseCell))
                        ? IndexOps.Rotate60Cw(current)
                        : IndexOps.Rotate60Ccw(current);
                    alreadyAdjustedKSubsequence = true;
                }
                else
                {
                    switch (oldLeadingDigit)
                    {
                        case 0:
                            return ErrPentagon; // the k direction is deleted from here
                        case 3:
                            current = IndexOps.Rotate60Ccw(current);
                            rotations++;
                            break;
                        case 5:
                            current = IndexOps.Rotate60Cw(current);
                            rotations += 5;
                            break;
                        default:
                            return ErrFailed;
                    }
                }
            }

            for (int i = 0; i < newRotations; i++) current = IndexOps.RotatePent60Ccw(current);

            if (oldBaseCell != newBaseCell)
            {
                if (BaseCells.IsPolarPentagon(newBaseCell))
                {
                    // polar pentagons have all i neighbours
                    if (oldBaseCell != 118 && oldBaseCell != 8 && IndexOps.LeadingNonZeroDigit(current) != 3) rotations++;
                }
                else if (IndexOps.LeadingNonZeroDigit(current) == 5 && !alreadyAdjustedKSubsequence)
                {
                    // distortion introduced to the 5 neighbour by the deleted k subsequence
                    rotations++;
                }
            }
        }
        else
        {
            for (int i = 0; i < newRotations; i++) current = IndexOps.Rotate60Ccw(current);
        }

        rotations = (rotations + newRotations) % 6;
        result = current;
        return 0;
    }

    /// <summary>Spiral k-ring (upstream gridDiskDistancesUnsafe). Returns false when a pentagon is hit.</summary>
    internal static bool DiskUnsafe(ulong origin, int k, Span<H3Index> output, Span<int> distances)
    {
        int idx = 0;
        output[idx] = new H3Index(origin);
        if (!distances.IsEmpty) distances[idx] = 0;
        idx++;
        if (IndexOps.IsPentagon(origin)) return false;

        ReadOnlySpan<byte> dirs = Directions;
        int ring = 1, direction = 0, i = 0, rotations = 0;
        while (ring <= k)
        {
            if (direction == 0 && i == 0)
            {
                if (NeighborRotations(origin, NextRingDirection, ref rotations, out origin) != 0) return false;
                if (IndexOps.IsPentagon(origin)) return false;
            }

            if (NeighborRotations(origin, dirs[direction], ref rotations, out origin) != 0) return false;
            output[idx] = new H3Index(origin);
            if (!distances.IsEmpty) distances[idx] = ring;
            idx++;

            i++;
            if (i == ring)
            {
                i = 0;
                direction++;
                if (direction == 6)
                {
                    direction = 0;
                    ring++;
                }
            }

            if (IndexOps.IsPentagon(origin)) return false;
        }

        return true;
    }

    /// <summary>
    /// Breadth-first k-ring that is correct around pentagons (equivalent to upstream gridDiskDistancesSafe).
    /// Uses the output as the BFS queue; returns the number of cells.
    /// </summary>
    internal static int DiskSafe(ulong origin, int k, Span<H3Index> output, Span<int> distances)
    {
        int count = 0;
        output[count] = new H3Index(origin);
        distances[count] = 0;
        count++;
        HashSet<ulong>? seen = k > 6 ? new HashSet<ulong> { origin } : null;
        ReadOnlySpan<byte> dirs = Directions;
        for (int head = 0; head < count; head++)
        {
            int d = distances[head];
            if (d >= k) continue;
            ulong cell = output[head].Value;
            for (int i = 0; i < 6; i++)
            {
                int rotations = 0;
                int err = NeighborRotations(cell, dirs[i], ref rotations, out ulong n);
                if (err == ErrPentagon) continue; // no neighbour in the deleted direction
                if (err != 0) throw new H3Exception((H3Error)err, "Neighbour traversal failed.");
                bool isNew = seen is not null ? seen.Add(n) : !Contains(output[..count], n);
                if (!isNew) continue;
                output[count] = new H3Index(n);
                distances[count] = d + 1;
                count++;
            }
        }

        return count;
    }

    private static bool Contains(Span<H3Index> cells, ulong h)
    {
        foreach (H3Index c in cells)
        {
            if (c.Value == h) return true;
        }
        return false;
    }

    /// <summary>Hollow ring (upstream gridRingUnsafe). Returns false on pentagon distortion.</summary>
    internal static bool RingUnsafe(ulong origin, int k, Span<H3Index> output)
    {
        if (k == 0)
        {
            output[0] = new H3Index(origin);
            return true;
        }

        int idx = 0, rotations = 0;
        if (IndexOps.IsPentagon(origin)) return false;
        for (int ring = 0; ring < k; ring++)
        {
            if (NeighborRotations(origin, NextRingDirection, ref rotations, out origin) != 0) return false;
            if (IndexOps.IsPentagon(origin)) return false;
        }

        ulong lastIndex = origin;
        output[idx++] = new H3Index(origin);
        ReadOnlySpan<byte> dirs = Directions;
        for (int direction = 0; direction < 6; direction++)
        {
            for (int pos = 0; pos < k; pos++)
            {
                if (NeighborRotations(origin, dirs[direction], ref rotations, out origin) != 0) return false;
                // the last cell equals the first; it is only walked to detect pentagonal distortion
                if (pos != k - 1 || direction != 5)
                {
                    output[idx++] = new H3Index(origin);
                    if (IndexOps.IsPentagon(origin)) return false;
                }
            }
        }

        return lastIndex == origin;
    }
}
