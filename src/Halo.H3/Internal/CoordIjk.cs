using System.Runtime.CompilerServices;

namespace Halo.H3.Internal;

/// <summary>IJK hexagon coordinates (upstream CoordIJK); ijk+ when normalized.</summary>
internal struct CoordIjk(int i, int j, int k)
{
    public int I = i;
    public int J = j;
    public int K = k;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Normalize()
    {
        if (I < 0) { J -= I; K -= I; I = 0; }
        if (J < 0) { I -= J; K -= J; J = 0; }
        if (K < 0) { I -= K; J -= K; K = 0; }
        int min = I;
        if (J < min) min = J;
        if (K < min) min = K;
        if (min > 0) { I -= min; J -= min; K -= min; }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static CoordIjk Add(CoordIjk a, CoordIjk b) => new(a.I + b.I, a.J + b.J, a.K + b.K);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static CoordIjk Sub(CoordIjk a, CoordIjk b) => new(a.I - b.I, a.J - b.J, a.K - b.K);

    /// <summary>
    /// Upstream's lround(n * M_ONESEVENTH) in integers: n/7 is never within an ulp of a half-integer,
    /// so rounding the exact quotient to nearest gives the same result.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static int DivRound7(int n) => n >= 0 ? (n + 3) / 7 : -((3 - n) / 7);

    /// <summary>Parent in a clockwise aperture 7 grid.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void UpAp7r()
    {
        int i = I - K, j = J - K;
        I = DivRound7(2 * i + j);
        J = DivRound7(3 * j - i);
        K = 0;
        Normalize();
    }

    /// <summary>Centre child in the next finer counter-clockwise aperture 7 grid.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void DownAp7()
    {
        // i*(3,0,1) + j*(1,3,0) + k*(0,1,3)
        int i = I, j = J, k = K;
        I = 3 * i + j;
        J = 3 * j + k;
        K = i + 3 * k;
        Normalize();
    }

    /// <summary>Centre child in the next finer clockwise aperture 7 grid.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void DownAp7r()
    {
        // i*(3,1,0) + j*(0,3,1) + k*(1,0,3)
        int i = I, j = J, k = K;
        I = 3 * i + k;
        J = i + 3 * j;
        K = j + 3 * k;
        Normalize();
    }

    /// <summary>Next finer counter-clockwise aperture 3 grid.</summary>
    public void DownAp3()
    {
        // i*(2,0,1) + j*(1,2,0) + k*(0,1,2)
        int i = I, j = J, k = K;
        I = 2 * i + j;
        J = 2 * j + k;
        K = i + 2 * k;
        Normalize();
    }

    /// <summary>Next finer clockwise aperture 3 grid.</summary>
    public void DownAp3r()
    {
        // i*(2,1,0) + j*(0,2,1) + k*(1,0,2)
        int i = I, j = J, k = K;
        I = 2 * i + k;
        J = i + 2 * j;
        K = j + 2 * k;
        Normalize();
    }

    /// <summary>Moves one cell in the given digit direction.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Neighbor(int digit)
    {
        if (digit > 0 && digit < 7)
        {
            // Unit vectors are the bits of the digit: i = 4, j = 2, k = 1.
            I += (digit >> 2) & 1;
            J += (digit >> 1) & 1;
            K += digit & 1;
            Normalize();
        }
    }

    public void Rotate60Ccw()
    {
        // i*(1,1,0) + j*(0,1,1) + k*(1,0,1)
        int i = I, j = J, k = K;
        I = i + k;
        J = i + j;
        K = j + k;
        Normalize();
    }

    public void Rotate60Cw()
    {
        // i*(1,0,1) + j*(1,1,0) + k*(0,1,1)
        int i = I, j = J, k = K;
        I = i + j;
        J = j + k;
        K = i + k;
        Normalize();
    }

    public static int Distance(CoordIjk a, CoordIjk b)
    {
        CoordIjk d = Sub(a, b);
        d.Normalize();
        return Math.Max(Math.Abs(d.I), Math.Max(Math.Abs(d.J), Math.Abs(d.K)));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly void ToHex2d(out double x, out double y)
    {
        int i = I - K, j = J - K;
        x = i - 0.5 * j;
        y = j * Constants.Sqrt3Over2;
    }

    /// <summary>Containing hex of a 2D point (upstream _hex2dToCoordIJK, from DGGRID).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static CoordIjk FromHex2d(double x, double y)
    {
        int hi, hj;
        double a1 = Math.Abs(x), a2 = Math.Abs(y);
        double x2 = a2 * Constants.RSin60;
        double x1 = a1 + x2 / 2.0;
        int m1 = (int)x1, m2 = (int)x2;
        double r1 = x1 - m1, r2 = x2 - m2;

        if (r1 < 0.5)
        {
            if (r1 < 1.0 / 3.0)
            {
                hi = m1;
                hj = r2 < (1.0 + r1) / 2.0 ? m2 : m2 + 1;
            }
            else
            {
                hj = r2 < (1.0 - r1) ? m2 : m2 + 1;
                hi = ((1.0 - r1) <= r2 && r2 < (2.0 * r1)) ? m1 + 1 : m1;
            }
        }
        else
        {
            if (r1 < 2.0 / 3.0)
            {
                hj = r2 < (1.0 - r1) ? m2 : m2 + 1;
                hi = ((2.0 * r1 - 1.0) < r2 && r2 < (1.0 - r1)) ? m1 : m1 + 1;
            }
            else
            {
                hi = m1 + 1;
                hj = r2 < (r1 / 2.0) ? m2 : m2 + 1;
            }
        }

        // fold across the axes if necessary
        if (x < 0.0)
        {
            if ((hj % 2) == 0)
            {
                long axisi = hj / 2;
                long diff = hi - axisi;
                hi = (int)(hi - 2.0 * diff);
            }
            else
            {
                long axisi = (hj + 1) / 2;
                long diff = hi - axisi;
                hi = (int)(hi - (2.0 * diff + 1));
            }
        }

        if (y < 0.0)
        {
            hi -= (2 * hj + 1) / 2;
            hj = -hj;
        }

        var h = new CoordIjk(hi, hj, 0);
        h.Normalize();
        return h;
    }
}

/// <summary>Face number plus ijk coordinates on that face (upstream FaceIJK).</summary>
internal struct FaceIjk(int face, CoordIjk coord)
{
    public int Face = face;
    public CoordIjk Coord = coord;
}
