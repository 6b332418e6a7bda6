using System.Runtime.CompilerServices;

namespace Halo.H3.Internal;

internal static partial class BaseCells
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static bool IsPentagon(int baseCell) => (uint)baseCell < Constants.NumBaseCells && Data[baseCell * 7 + 4] != 0;

    /// <summary>Pentagons 4 and 117 have all neighbours oriented towards them.</summary>
    internal static bool IsPolarPentagon(int baseCell) => baseCell == 4 || baseCell == 117;

    internal static FaceIjk HomeFijk(int baseCell)
    {
        int o = baseCell * 7;
        return new FaceIjk(Data[o], new CoordIjk(Data[o + 1], Data[o + 2], Data[o + 3]));
    }

    internal static int HomeFace(int baseCell) => Data[baseCell * 7];

    internal static bool IsCwOffset(int baseCell, int face)
    {
        int o = baseCell * 7;
        return Data[o + 5] == face || Data[o + 6] == face;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static int FromFaceIjk(int face, in CoordIjk c) => FaceIjkBaseCells[((face * 27) + c.I * 9 + c.J * 3 + c.K) * 2];

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static int RotationsFromFaceIjk(int face, in CoordIjk c) => FaceIjkBaseCells[((face * 27) + c.I * 9 + c.J * 3 + c.K) * 2 + 1];

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static int Neighbor(int baseCell, int dir) => Neighbors[baseCell * 7 + dir];

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static int NeighborRotation(int baseCell, int dir) => NeighborRotations[baseCell * 7 + dir];

    /// <summary>Direction from one base cell to a neighbouring one, or 7 when they are not neighbours.</summary>
    internal static int Direction(int originBaseCell, int neighborBaseCell)
    {
        for (int dir = 0; dir < 7; dir++)
        {
            if (Neighbor(originBaseCell, dir) == neighborBaseCell) return dir;
        }
        return 7;
    }
}
