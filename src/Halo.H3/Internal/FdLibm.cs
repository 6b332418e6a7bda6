using System.Runtime.CompilerServices;

namespace Halo.H3.Internal;

/// <summary>
/// The fdlibm algorithms for the trigonometric functions H3 uses, as JavaScript engines (V8) implement
/// Math.sin &amp; co. h3-js runs the H3 C code on those functions; using the same algorithms here makes
/// boundaries and areas agree with it to the last bit instead of to ~1e-14 (the difference matters for
/// the areas of tiny cells, which are sums of large, nearly cancelling terms).
/// Written from the fdlibm 5.3 method descriptions and published coefficients.
/// </summary>
internal static class FdLibm
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Hi(double x) => (int)(BitConverter.DoubleToInt64Bits(x) >> 32);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint Lo(double x) => (uint)BitConverter.DoubleToInt64Bits(x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double ZeroLow(double x) => BitConverter.Int64BitsToDouble(BitConverter.DoubleToInt64Bits(x) & unchecked((long)0xFFFFFFFF00000000UL));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double FromWords(int hi, uint lo) => BitConverter.Int64BitsToDouble(((long)hi << 32) | lo);

    // ---- argument reduction modulo pi/2 (|x| < 2^19 pi/2; larger arguments never occur in H3) ----
    private const double InvPio2 = 6.36619772367581382433e-01;
    private const double Pio2_1 = 1.57079632673412561417e+00;
    private const double Pio2_1t = 6.07710050650619224932e-11;
    private const double Pio2_2 = 6.07710050630396597660e-11;
    private const double Pio2_2t = 2.02226624879595063154e-21;
    private const double Pio2_3 = 2.02226624871116645580e-21;
    private const double Pio2_3t = 8.47842766036889956997e-32;

    private static readonly int[] Npio2Hw = BuildNpio2Hw();

    private static int[] BuildNpio2Hw()
    {
        var t = new int[32];
        for (int i = 0; i < 32; i++) t[i] = Hi((i + 1) * (Math.PI / 2)); // high words of n·π/2
        return t;
    }

    private static int RemPio2(double x, out double y0, out double y1)
    {
        int hx = Hi(x);
        int ix = hx & 0x7fffffff;
        if (ix <= 0x3fe921fb)
        {
            y0 = x;
            y1 = 0;
            return 0;
        }

        double z;
        if (ix < 0x4002d97c)
        {
            // |x| < 3π/4: n = ±1
            if (hx > 0)
            {
                z = x - Pio2_1;
                if (ix != 0x3ff921fb)
                {
                    y0 = z - Pio2_1t;
                    y1 = (z - y0) - Pio2_1t;
                }
                else
                {
                    z -= Pio2_2;
                    y0 = z - Pio2_2t;
                    y1 = (z - y0) - Pio2_2t;
                }
                return 1;
            }

            z = x + Pio2_1;
            if (ix != 0x3ff921fb)
            {
                y0 = z + Pio2_1t;
                y1 = (z - y0) + Pio2_1t;
            }
            else
            {
                z += Pio2_2;
                y0 = z + Pio2_2t;
                y1 = (z - y0) + Pio2_2t;
            }
            return -1;
        }

        if (ix <= 0x413921fb)
        {
            double t = Math.Abs(x);
            int n = (int)(t * InvPio2 + 0.5);
            double fn = n;
            double r = t - fn * Pio2_1;
            double w = fn * Pio2_1t;
            if (n < 32 && ix != Npio2Hw[n - 1])
            {
                y0 = r - w;
            }
            else
            {
                int j = ix >> 20;
                y0 = r - w;
                int i = j - ((Hi(y0) >> 20) & 0x7ff);
                if (i > 16)
                {
                    t = r;
                    w = fn * Pio2_2;
                    r = t - w;
                    w = fn * Pio2_2t - ((t - r) - w);
                    y0 = r - w;
                    i = j - ((Hi(y0) >> 20) & 0x7ff);
                    if (i > 49)
                    {
                        t = r;
                        w = fn * Pio2_3;
                        r = t - w;
                        w = fn * Pio2_3t - ((t - r) - w);
                        y0 = r - w;
                    }
                }
            }

            y1 = (r - y0) - w;
            if (hx < 0)
            {
                y0 = -y0;
                y1 = -y1;
                return -n;
            }
            return n;
        }

        // Callers send |x| > 2^19·π/2 to the platform instead (see IsHuge); never reached.
        y0 = y1 = double.NaN;
        return 0;
    }

    // Arguments this large never come from H3 geometry (only from absurd inputs such as a longitude of 1e9
    // radians); fdlibm would use Payne–Hanek reduction there, the platform's libm is as good.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool IsHuge(int ix) => ix > 0x413921fb && ix < 0x7ff00000;

    // ---- kernels on [-π/4, π/4] ----
    private const double S1 = -1.66666666666666324348e-01, S2 = 8.33333333332248946124e-03, S3 = -1.98412698298579493134e-04,
        S4 = 2.75573137070700676789e-06, S5 = -2.50507602534068634195e-08, S6 = 1.58969099521155010221e-10;

    private static double KernelSin(double x, double y, int iy)
    {
        int ix = Hi(x) & 0x7fffffff;
        if (ix < 0x3e400000 && (int)x == 0) return x;
        double z = x * x;
        double v = z * x;
        double r = S2 + z * (S3 + z * (S4 + z * (S5 + z * S6)));
        if (iy == 0) return x + v * (S1 + z * r);
        return x - ((z * (0.5 * y - v * r) - y) - v * S1);
    }

    private const double C1 = 4.16666666666666019037e-02, C2 = -1.38888888888741095749e-03, C3 = 2.48015872894767294178e-05,
        C4 = -2.75573143513906633035e-07, C5 = 2.08757232129817482790e-09, C6 = -1.13596475577881948265e-11;

    private static double KernelCos(double x, double y)
    {
        int ix = Hi(x) & 0x7fffffff;
        if (ix < 0x3e400000 && (int)x == 0) return 1.0;
        double z = x * x;
        double r = z * (C1 + z * (C2 + z * (C3 + z * (C4 + z * (C5 + z * C6)))));
        if (ix < 0x3FD33333) return 1.0 - (0.5 * z - (z * r - x * y));
        double qx = ix > 0x3fe90000 ? 0.28125 : FromWords(ix - 0x00200000, 0);
        double hz = 0.5 * z - qx;
        double a = 1.0 - qx;
        return a - (hz - (z * r - x * y));
    }

    private const double T0 = 3.33333333333334091986e-01, T1 = 1.33333333333201242699e-01, T2 = 5.39682539762260521377e-02, T3 = 2.18694882948595424599e-02, T4 = 8.86323982359930005737e-03, T5 = 3.59207910759131235356e-03, T6 = 1.45620945432529025516e-03, T7 = 5.88041240820264096874e-04, T8 = 2.46463134818469906812e-04, T9 = 7.81794442939557092300e-05, T10 = 7.14072491382608190305e-05, T11 = -1.85586374855275456654e-05, T12 = 2.59073051863633712884e-05;

    private const double Pio4 = 7.85398163397448278999e-01, Pio4Lo = 3.06161699786838301793e-17;

    private static double KernelTan(double x, double y, int iy)
    {
        int hx = Hi(x);
        int ix = hx & 0x7fffffff;
        double z, r, v, w, s;
        if (ix < 0x3e300000 && (int)x == 0)
        {
            if (((ix | (int)Lo(x)) | (iy + 1)) == 0) return 1.0 / Math.Abs(x);
            if (iy == 1) return x;
            w = x + y;
            z = ZeroLow(w);
            v = y - (z - x);
            double a0 = -1.0 / w;
            double t0 = ZeroLow(a0);
            s = 1.0 + t0 * z;
            return t0 + a0 * (s + t0 * v);
        }

        if (ix >= 0x3FE59428)
        {
            if (hx < 0)
            {
                x = -x;
                y = -y;
            }
            z = Pio4 - x;
            w = Pio4Lo - y;
            x = z + w;
            y = 0.0;
        }

        z = x * x;
        w = z * z;
        r = T1 + w * (T3 + w * (T5 + w * (T7 + w * (T9 + w * T11))));
        v = z * (T2 + w * (T4 + w * (T6 + w * (T8 + w * (T10 + w * T12)))));
        s = z * x;
        r = y + z * (s * (r + v) + y);
        r += T0 * s;
        w = x + r;
        if (ix >= 0x3FE59428)
        {
            v = iy;
            return (1 - ((hx >> 30) & 2)) * (v - 2.0 * (x - (w * w / (w + v) - r)));
        }
        if (iy == 1) return w;
        z = ZeroLow(w);
        v = r - (z - x);
        double a = -1.0 / w;
        double t = ZeroLow(a);
        s = 1.0 + t * z;
        return t + a * (s + t * v);
    }

    public static double Sin(double x)
    {
        int ix = Hi(x) & 0x7fffffff;
        if (ix <= 0x3fe921fb) return KernelSin(x, 0.0, 0);
        if (ix >= 0x7ff00000) return x - x;
        if (IsHuge(ix)) return Math.Sin(x);
        int n = RemPio2(x, out double y0, out double y1);
        return (n & 3) switch
        {
            0 => KernelSin(y0, y1, 1),
            1 => KernelCos(y0, y1),
            2 => -KernelSin(y0, y1, 1),
            _ => -KernelCos(y0, y1),
        };
    }

    public static double Cos(double x)
    {
        int ix = Hi(x) & 0x7fffffff;
        if (ix <= 0x3fe921fb) return KernelCos(x, 0.0);
        if (ix >= 0x7ff00000) return x - x;
        if (IsHuge(ix)) return Math.Cos(x);
        int n = RemPio2(x, out double y0, out double y1);
        return (n & 3) switch
        {
            0 => KernelCos(y0, y1),
            1 => -KernelSin(y0, y1, 1),
            2 => -KernelCos(y0, y1),
            _ => KernelSin(y0, y1, 1),
        };
    }

    /// <summary>Sine and cosine with one shared argument reduction; bit-identical to <see cref="Sin"/> and <see cref="Cos"/>.</summary>
    public static void SinCos(double x, out double sin, out double cos)
    {
        int ix = Hi(x) & 0x7fffffff;
        if (ix <= 0x3fe921fb)
        {
            sin = KernelSin(x, 0.0, 0);
            cos = KernelCos(x, 0.0);
            return;
        }
        if (ix >= 0x7ff00000)
        {
            sin = cos = x - x;
            return;
        }
        if (IsHuge(ix))
        {
            (sin, cos) = Math.SinCos(x);
            return;
        }
        int n = RemPio2(x, out double y0, out double y1);
        double s = KernelSin(y0, y1, 1), c = KernelCos(y0, y1);
        switch (n & 3)
        {
            case 0: sin = s; cos = c; break;
            case 1: sin = c; cos = -s; break;
            case 2: sin = -s; cos = -c; break;
            default: sin = -c; cos = s; break;
        }
    }

    public static double Tan(double x)
    {
        int ix = Hi(x) & 0x7fffffff;
        if (ix <= 0x3fe921fb) return KernelTan(x, 0.0, 1);
        if (ix >= 0x7ff00000) return x - x;
        if (IsHuge(ix)) return Math.Tan(x);
        int n = RemPio2(x, out double y0, out double y1);
        return KernelTan(y0, y1, 1 - ((n & 1) << 1));
    }

    // ---- inverse functions ----
    private const double Pio2Hi = 1.57079632679489655800e+00, Pio2Lo = 6.12323399573676603587e-17, Pio4Hi = 7.85398163397448278999e-01;
    private const double PS0 = 1.66666666666666657415e-01, PS1 = -3.25565818622400915405e-01, PS2 = 2.01212532134862925881e-01,
        PS3 = -4.00555345006794114027e-02, PS4 = 7.91534994289814532176e-04, PS5 = 3.47933107596021167570e-05;
    private const double QS1 = -2.40339491173441421878e+00, QS2 = 2.02094576023350569471e+00, QS3 = -6.88283971605453293030e-01,
        QS4 = 7.70381505559019352791e-02;

    public static double Asin(double x)
    {
        double t = 0, w, p, q, c, r, s;
        int hx = Hi(x);
        int ix = hx & 0x7fffffff;
        if (ix >= 0x3ff00000)
        {
            if (((ix - 0x3ff00000) | (int)Lo(x)) == 0) return x * Pio2Hi + x * Pio2Lo;
            return double.NaN;
        }

        if (ix < 0x3fe00000)
        {
            if (ix < 0x3e400000)
            {
                if (1.0e300 + x > 1.0) return x;
            }
            else
            {
                t = x * x;
            }
            p = t * (PS0 + t * (PS1 + t * (PS2 + t * (PS3 + t * (PS4 + t * PS5)))));
            q = 1.0 + t * (QS1 + t * (QS2 + t * (QS3 + t * QS4)));
            w = p / q;
            return x + x * w;
        }

        w = 1.0 - Math.Abs(x);
        t = w * 0.5;
        p = t * (PS0 + t * (PS1 + t * (PS2 + t * (PS3 + t * (PS4 + t * PS5)))));
        q = 1.0 + t * (QS1 + t * (QS2 + t * (QS3 + t * QS4)));
        s = Math.Sqrt(t);
        if (ix >= 0x3FEF3333)
        {
            w = p / q;
            t = Pio2Hi - (2.0 * (s + s * w) - Pio2Lo);
        }
        else
        {
            w = ZeroLow(s);
            c = (t - w * w) / (s + w);
            r = p / q;
            p = 2.0 * s * r - (Pio2Lo - 2.0 * c);
            q = Pio4Hi - 2.0 * w;
            t = Pio4Hi - (p - q);
        }
        return hx > 0 ? t : -t;
    }

    public static double Acos(double x)
    {
        const double pi = 3.14159265358979311600e+00;
        double z, p, q, r, w, s, c, df;
        int hx = Hi(x);
        int ix = hx & 0x7fffffff;
        if (ix >= 0x3ff00000)
        {
            if (((ix - 0x3ff00000) | (int)Lo(x)) == 0) return hx > 0 ? 0.0 : pi + 2.0 * Pio2Lo;
            return double.NaN;
        }

        if (ix < 0x3fe00000)
        {
            if (ix <= 0x3c600000) return Pio2Hi + Pio2Lo;
            z = x * x;
            p = z * (PS0 + z * (PS1 + z * (PS2 + z * (PS3 + z * (PS4 + z * PS5)))));
            q = 1.0 + z * (QS1 + z * (QS2 + z * (QS3 + z * QS4)));
            r = p / q;
            return Pio2Hi - (x - (Pio2Lo - x * r));
        }

        if (hx < 0)
        {
            z = (1.0 + x) * 0.5;
            p = z * (PS0 + z * (PS1 + z * (PS2 + z * (PS3 + z * (PS4 + z * PS5)))));
            q = 1.0 + z * (QS1 + z * (QS2 + z * (QS3 + z * QS4)));
            s = Math.Sqrt(z);
            r = p / q;
            w = r * s - Pio2Lo;
            return pi - 2.0 * (s + w);
        }

        z = (1.0 - x) * 0.5;
        s = Math.Sqrt(z);
        df = ZeroLow(s);
        c = (z - df * df) / (s + df);
        p = z * (PS0 + z * (PS1 + z * (PS2 + z * (PS3 + z * (PS4 + z * PS5)))));
        q = 1.0 + z * (QS1 + z * (QS2 + z * (QS3 + z * QS4)));
        r = p / q;
        w = r * s + c;
        return 2.0 * (df + w);
    }

    private static readonly double[] AtanHi = [4.63647609000806093515e-01, 7.85398163397448278999e-01, 9.82793723247329054082e-01, 1.57079632679489655800e+00];
    private static readonly double[] AtanLo = [2.26987774529616870924e-17, 3.06161699786838301793e-17, 1.39033110312309984516e-17, 6.12323399573676603587e-17];
    private const double AT0 = 3.33333333333329318027e-01, AT1 = -1.99999999998764832476e-01, AT2 = 1.42857142725034663711e-01, AT3 = -1.11111104054623557880e-01, AT4 = 9.09088713343650656196e-02, AT5 = -7.69187620504482999495e-02, AT6 = 6.66107313738753120669e-02, AT7 = -5.83357013379057348645e-02, AT8 = 4.97687799461593236017e-02, AT9 = -3.65315727442169155270e-02, AT10 = 1.62858201153657823623e-02;

    public static double Atan(double x)
    {
        int hx = Hi(x);
        int ix = hx & 0x7fffffff;
        int id;
        if (ix >= 0x44100000)
        {
            if (ix > 0x7ff00000 || (ix == 0x7ff00000 && Lo(x) != 0)) return x + x;
            return hx > 0 ? AtanHi[3] + AtanLo[3] : -AtanHi[3] - AtanLo[3];
        }

        if (ix < 0x3fdc0000)
        {
            if (ix < 0x3e400000 && 1.0e300 + x > 1.0) return x;
            id = -1;
        }
        else
        {
            x = Math.Abs(x);
            if (ix < 0x3ff30000)
            {
                if (ix < 0x3fe60000)
                {
                    id = 0;
                    x = (2.0 * x - 1.0) / (2.0 + x);
                }
                else
                {
                    id = 1;
                    x = (x - 1.0) / (x + 1.0);
                }
            }
            else if (ix < 0x40038000)
            {
                id = 2;
                x = (x - 1.5) / (1.0 + 1.5 * x);
            }
            else
            {
                id = 3;
                x = -1.0 / x;
            }
        }

        double z = x * x;
        double w = z * z;
        double s1 = z * (AT0 + w * (AT2 + w * (AT4 + w * (AT6 + w * (AT8 + w * AT10)))));
        double s2 = w * (AT1 + w * (AT3 + w * (AT5 + w * (AT7 + w * AT9))));
        if (id < 0) return x - x * (s1 + s2);
        z = AtanHi[id] - ((x * (s1 + s2) - AtanLo[id]) - x);
        return hx < 0 ? -z : z;
    }

    public static double Atan2(double y, double x)
    {
        const double tiny = 1.0e-300, piO4 = 7.8539816339744827900E-01, piO2 = 1.5707963267948965580E+00,
            pi = 3.1415926535897931160E+00, piLo = 1.2246467991473531772E-16;
        if (double.IsNaN(x) || double.IsNaN(y)) return x + y;
        int hx = Hi(x), hy = Hi(y);
        uint lx = Lo(x), ly = Lo(y);
        int ix = hx & 0x7fffffff, iy = hy & 0x7fffffff;
        if (((hx - 0x3ff00000) | (int)lx) == 0) return Atan(y);
        int m = ((hy >> 31) & 1) | ((hx >> 30) & 2);

        if ((iy | (int)ly) == 0)
        {
            return m switch { 0 or 1 => y, 2 => pi + tiny, _ => -pi - tiny };
        }
        if ((ix | (int)lx) == 0) return hy < 0 ? -piO2 - tiny : piO2 + tiny;
        if (ix == 0x7ff00000)
        {
            if (iy == 0x7ff00000)
            {
                return m switch { 0 => piO4 + tiny, 1 => -piO4 - tiny, 2 => 3.0 * piO4 + tiny, _ => -3.0 * piO4 - tiny };
            }
            return m switch { 0 => 0.0, 1 => -0.0, 2 => pi + tiny, _ => -pi - tiny };
        }
        if (iy == 0x7ff00000) return hy < 0 ? -piO2 - tiny : piO2 + tiny;

        int k = (iy - ix) >> 20;
        double z;
        if (k > 60)
        {
            z = piO2 + 0.5 * piLo;
            m &= 1;
        }
        else if (hx < 0 && k < -60)
        {
            z = 0.0;
        }
        else
        {
            z = Atan(Math.Abs(y / x));
        }

        return m switch
        {
            0 => z,
            1 => -z,
            2 => pi - (z - piLo),
            _ => (z - piLo) - pi,
        };
    }
}
