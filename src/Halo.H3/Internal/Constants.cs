namespace Halo.H3.Internal;

/// <summary>Numeric constants of the H3 projection (same literals as upstream constants.h).</summary>
internal static class Constants
{
    internal const double TwoPi = 6.28318530717958647692528676655900576839433;
    internal const double Sqrt3Over2 = 0.8660254037844386467637231707529361834714;
    internal const double RSin60 = 1.1547005383792515290182975610039149112953;
    internal const double Ap7RotRads = 0.333473172251832115336090755351601070065900389;
    internal const double Res0UGnomonic = 0.38196601125010500003;
    internal const double Epsilon = 0.0000000000000001;
    internal const double EarthRadiusKm = 6371.007180918475;

    // Upstream's M_SQRT7 is a long double literal; h3-js (asm.js) evaluates long double as double.
    internal const double Sqrt7 = 2.6457513110645905905016157536392604257102;

    internal const int MaxRes = 15;
    internal const int NumBaseCells = 122;
    internal const int NumIcosaFaces = 20;
    internal const int InvalidBaseCell = 127;

    internal const int NumHexVerts = 6;
    internal const int NumPentVerts = 5;
    /// <summary>Maximum number of boundary vertices of any cell (pentagons/Class III hexagons gain edge-crossing vertices).</summary>
    internal const int MaxCellBoundaryVerts = 10;

    internal const int MaxFaceCoord = 2;

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    internal static double PosAngleRads(double rads)
    {
        double tmp = rads < 0.0 ? rads + TwoPi : rads;
        if (rads >= TwoPi) tmp -= TwoPi;
        return tmp;
    }

    internal static double ConstrainLng(double lng)
    {
        while (lng > Math.PI) lng -= 2 * Math.PI;
        while (lng < -Math.PI) lng += 2 * Math.PI;
        return lng;
    }
}
