using System.Runtime.CompilerServices;

namespace Halo.H3.Internal;

/// <summary>
/// Icosahedron face projections: lat/lng ↔ face hex2d ↔ FaceIJK, and cell boundaries
/// (upstream faceijk.c). Face tables are the published H3 constants.
/// </summary>
internal static class FaceGeometry
{
    // Face centres on the unit sphere (x, y, z).
    private static readonly double[] FaceCenterXyz =
    [
        0.2199307791404606, 0.6583691780274996, 0.7198475378926182,
        -0.2139234834501421, 0.1478171829550703, 0.9656017935214205,
        0.1092625278784797, -0.4811951572873210, 0.8697775121287253,
        0.7428567301586791, -0.3593941678278028, 0.5648005936517033,
        0.8112534709140969, 0.3448953237639384, 0.4721387736413930,
        -0.1055498149613921, 0.9794457296411413, 0.1718874610009365,
        -0.8075407579970092, 0.1533552485898818, 0.5695261994882688,
        -0.2846148069787907, -0.8644080972654206, 0.4144792552473539,
        0.7405621473854482, -0.6673299564565524, -0.0789837646326737,
        0.8512303986474293, 0.4722343788582681, -0.2289137388687808,
        -0.7405621473854481, 0.6673299564565524, 0.0789837646326737,
        -0.8512303986474292, -0.4722343788582682, 0.2289137388687808,
        0.1055498149613919, -0.9794457296411413, -0.1718874610009365,
        0.8075407579970092, -0.1533552485898819, -0.5695261994882688,
        0.2846148069787908, 0.8644080972654204, -0.4144792552473539,
        -0.7428567301586791, 0.3593941678278027, -0.5648005936517033,
        -0.8112534709140971, -0.3448953237639382, -0.4721387736413930,
        -0.2199307791404607, -0.6583691780274996, -0.7198475378926182,
        0.2139234834501420, -0.1478171829550704, -0.9656017935214205,
        -0.1092625278784796, 0.4811951572873210, -0.8697775121287253,
    ];

    // Azimuth (radians) from face centre to vertex 0 (the Class II i axis).
    private static readonly double[] FaceAxesAz0 =
    [
        5.619958268523939882, 5.760339081714187279, 0.780213654393430055, 0.430469363979999913,
        6.130269123335111400, 2.692877706530642877, 2.982963003477243874, 3.532912002790141181,
        3.494305004259568154, 3.003214169499538391, 5.930472956509811562, 0.138378484090254847,
        0.448714947059150361, 0.158629650112549365, 5.891865957979238535, 2.711123289609793325,
        3.294508837434268316, 3.804819692245439833, 3.664438879055192436, 2.361378999196363184,
    ];

    // Tangent basis (north, east unit vectors) at each face centre, 6 doubles per face.
    private static readonly double[] FaceTangents = new double[20 * 6];

    internal const int Ij = 1;
    internal const int Ki = 2;
    internal const int Jk = 3;

    // faceNeighbors[face][quadrant] = (face, translate i, j, k, ccw rotations); quadrant 0 = self, 1 = IJ, 2 = KI, 3 = JK.
    private static readonly int[] FaceNeighbors =
    [
        0, 0, 0, 0, 0,  4, 2, 0, 2, 1,  1, 2, 2, 0, 5,  5, 0, 2, 2, 3,
        1, 0, 0, 0, 0,  0, 2, 0, 2, 1,  2, 2, 2, 0, 5,  6, 0, 2, 2, 3,
        2, 0, 0, 0, 0,  1, 2, 0, 2, 1,  3, 2, 2, 0, 5,  7, 0, 2, 2, 3,
        3, 0, 0, 0, 0,  2, 2, 0, 2, 1,  4, 2, 2, 0, 5,  8, 0, 2, 2, 3,
        4, 0, 0, 0, 0,  3, 2, 0, 2, 1,  0, 2, 2, 0, 5,  9, 0, 2, 2, 3,
        5, 0, 0, 0, 0,  10, 2, 2, 0, 3, 14, 2, 0, 2, 3, 0, 0, 2, 2, 3,
        6, 0, 0, 0, 0,  11, 2, 2, 0, 3, 10, 2, 0, 2, 3, 1, 0, 2, 2, 3,
        7, 0, 0, 0, 0,  12, 2, 2, 0, 3, 11, 2, 0, 2, 3, 2, 0, 2, 2, 3,
        8, 0, 0, 0, 0,  13, 2, 2, 0, 3, 12, 2, 0, 2, 3, 3, 0, 2, 2, 3,
        9, 0, 0, 0, 0,  14, 2, 2, 0, 3, 13, 2, 0, 2, 3, 4, 0, 2, 2, 3,
        10, 0, 0, 0, 0, 5, 2, 2, 0, 3,  6, 2, 0, 2, 3,  15, 0, 2, 2, 3,
        11, 0, 0, 0, 0, 6, 2, 2, 0, 3,  7, 2, 0, 2, 3,  16, 0, 2, 2, 3,
        12, 0, 0, 0, 0, 7, 2, 2, 0, 3,  8, 2, 0, 2, 3,  17, 0, 2, 2, 3,
        13, 0, 0, 0, 0, 8, 2, 2, 0, 3,  9, 2, 0, 2, 3,  18, 0, 2, 2, 3,
        14, 0, 0, 0, 0, 9, 2, 2, 0, 3,  5, 2, 0, 2, 3,  19, 0, 2, 2, 3,
        15, 0, 0, 0, 0, 16, 2, 0, 2, 1, 19, 2, 2, 0, 5, 10, 0, 2, 2, 3,
        16, 0, 0, 0, 0, 17, 2, 0, 2, 1, 15, 2, 2, 0, 5, 11, 0, 2, 2, 3,
        17, 0, 0, 0, 0, 18, 2, 0, 2, 1, 16, 2, 2, 0, 5, 12, 0, 2, 2, 3,
        18, 0, 0, 0, 0, 19, 2, 0, 2, 1, 17, 2, 2, 0, 5, 13, 0, 2, 2, 3,
        19, 0, 0, 0, 0, 15, 2, 0, 2, 1, 18, 2, 2, 0, 5, 14, 0, 2, 2, 3,
    ];

    // adjacentFaceDir[from * 20 + to] = quadrant of `to` seen from `from`, or -1.
    private static readonly sbyte[] AdjacentFaceDir = new sbyte[400];

    // Maximum ijk dimension and unit scale per Class II resolution.
    private static readonly int[] MaxDimByCIIres = [2, -1, 14, -1, 98, -1, 686, -1, 4802, -1, 33614, -1, 235298, -1, 1647086, -1, 11529602];
    private static readonly int[] UnitScaleByCIIres = [1, -1, 7, -1, 49, -1, 343, -1, 2401, -1, 16807, -1, 117649, -1, 823543, -1, 5764801];

    private static readonly CoordIjk[] VertsCII = [new(2, 1, 0), new(1, 2, 0), new(0, 2, 1), new(0, 1, 2), new(1, 0, 2), new(2, 0, 1)];
    private static readonly CoordIjk[] VertsCIII = [new(5, 4, 0), new(1, 5, 0), new(0, 5, 4), new(0, 1, 5), new(4, 0, 5), new(5, 0, 1)];

    static FaceGeometry()
    {
        for (int f = 0; f < 20; f++)
        {
            TangentBasis(FaceCenterXyz[f * 3], FaceCenterXyz[f * 3 + 1], FaceCenterXyz[f * 3 + 2],
                out FaceTangents[f * 6], out FaceTangents[f * 6 + 1], out FaceTangents[f * 6 + 2],
                out FaceTangents[f * 6 + 3], out FaceTangents[f * 6 + 4], out FaceTangents[f * 6 + 5]);
        }
        AdjacentFaceDir.AsSpan().Fill(-1);
        for (int f = 0; f < 20; f++)
        {
            AdjacentFaceDir[f * 20 + f] = 0;
            for (int q = 1; q < 4; q++) AdjacentFaceDir[f * 20 + FaceNeighbors[f * 20 + q * 5]] = (sbyte)q;
        }
    }

    internal enum Overage { None = 0, FaceEdge = 1, NewFace = 2 }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static bool IsClassIII(int res) => (res & 1) == 1;

    private const double InvRes0UGnomonic = 2.61803398874989588842;
    private const double RSqrt7 = 0.37796447300922722721451653623418006081576;
    private const double OneThird = 0.333333333333333333333333333333333333333;

    /// <summary>North and east unit vectors of the tangent plane at a (non-polar) unit vector (upstream _vec3TangentBasis).</summary>
    private static void TangentBasis(double px, double py, double pz,
        out double nx, out double ny, out double nz, out double ex, out double ey, out double ez)
    {
        // north = (0,0,1) - (p·(0,0,1)) p, normalized; east = north × p
        double d = pz;
        nx = 1.0 * 0.0 + -d * px;
        ny = 1.0 * 0.0 + -d * py;
        nz = 1.0 * 1.0 + -d * pz;
        Normalize(ref nx, ref ny, ref nz);
        ex = ny * pz - nz * py;
        ey = nz * px - nx * pz;
        ez = nx * py - ny * px;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Normalize(ref double x, ref double y, ref double z)
    {
        double norm = Math.Sqrt(x * x + y * y + z * z);
        if (norm == 0.0) return;
        double inv = 1.0 / norm;
        x *= inv;
        y *= inv;
        z *= inv;
    }

    /// <summary>
    /// Face containing the point and the face-centred hex2d coordinates at <paramref name="res"/>
    /// (upstream 4.5 _vec3ToHex2d: unit-vector geometry, fdlibm trigonometry).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static int GeoToHex2d(double lat, double lng, int res, out double x, out double y)
    {
        FdLibm.SinCos(lat, out double sinLat, out double cosLat);
        FdLibm.SinCos(lng, out double sinLng, out double cosLng);
        double px = cosLng * cosLat, py = sinLng * cosLat, pz = sinLat;

        int face = 0;
        double sqd = 5.0;
        ReadOnlySpan<double> centers = FaceCenterXyz;
        for (int f = 0; f < 20; f++)
        {
            double dx = centers[f * 3] - px, dy = centers[f * 3 + 1] - py, dz = centers[f * 3 + 2] - pz;
            double d = dx * dx + dy * dy + dz * dz;
            if (d < sqd) { face = f; sqd = d; }
        }

        double r = FdLibm.Acos(1 - sqd * 0.5);
        if (r < Constants.Epsilon)
        {
            x = y = 0.0;
            return face;
        }

        // azimuth from the face centre: project p onto the tangent plane (upstream _vec3AzimuthRads)
        double cx = centers[face * 3], cy = centers[face * 3 + 1], cz = centers[face * 3 + 2];
        double dot = px * cx + py * cy + pz * cz;
        double qx = 1.0 * px + -dot * cx, qy = 1.0 * py + -dot * cy, qz = 1.0 * pz + -dot * cz;
        Normalize(ref qx, ref qy, ref qz);
        ReadOnlySpan<double> t = FaceTangents.AsSpan(face * 6, 6);
        double az = FdLibm.Atan2(qx * t[3] + qy * t[4] + qz * t[5], qx * t[0] + qy * t[1] + qz * t[2]);

        double theta = Constants.PosAngleRads(FaceAxesAz0[face] - Constants.PosAngleRads(az));
        if (IsClassIII(res)) theta = Constants.PosAngleRads(theta - Constants.Ap7RotRads);

        r = FdLibm.Tan(r);
        r *= InvRes0UGnomonic;
        for (int i = 0; i < res; i++) r *= Constants.Sqrt7;

        FdLibm.SinCos(theta, out double sinT, out double cosT);
        x = r * cosT;
        y = r * sinT;
        return face;
    }

    /// <summary>Spherical point of a face-centred hex2d coordinate (upstream 4.5 _hex2dToVec3 + vec3ToLatLng).</summary>
    internal static void Hex2dToGeo(double x, double y, int face, int res, bool substrate, out double lat, out double lng)
    {
        double vx, vy, vz;
        double r = Math.Sqrt(x * x + y * y);
        if (r < Constants.Epsilon)
        {
            vx = FaceCenterXyz[face * 3];
            vy = FaceCenterXyz[face * 3 + 1];
            vz = FaceCenterXyz[face * 3 + 2];
        }
        else
        {
            double theta = FdLibm.Atan2(y, x);
            for (int i = 0; i < res; i++) r *= RSqrt7;
            if (substrate)
            {
                r *= OneThird;
                if (IsClassIII(res)) r *= RSqrt7;
            }

            r *= Constants.Res0UGnomonic;
            r = FdLibm.Atan(r);

            if (!substrate && IsClassIII(res)) theta = Constants.PosAngleRads(theta + Constants.Ap7RotRads);
            theta = Constants.PosAngleRads(FaceAxesAz0[face] - theta);

            ReadOnlySpan<double> t = FaceTangents.AsSpan(face * 6, 6);
            FdLibm.SinCos(theta, out double sinT, out double cosT);
            double dx = cosT * t[0] + sinT * t[3], dy = cosT * t[1] + sinT * t[4], dz = cosT * t[2] + sinT * t[5];
            FdLibm.SinCos(r, out double sinR, out double cosR);
            vx = cosR * FaceCenterXyz[face * 3] + sinR * dx;
            vy = cosR * FaceCenterXyz[face * 3 + 1] + sinR * dy;
            vz = cosR * FaceCenterXyz[face * 3 + 2] + sinR * dz;
            Normalize(ref vx, ref vy, ref vz);
        }

        lat = FdLibm.Asin(vz);
        lng = FdLibm.Atan2(vy, vx);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static FaceIjk GeoToFaceIjk(double lat, double lng, int res)
    {
        int face = GeoToHex2d(lat, lng, res, out double x, out double y);
        return new FaceIjk(face, CoordIjk.FromHex2d(x, y));
    }

    internal static void FaceIjkToGeo(in FaceIjk h, int res, out double lat, out double lng)
    {
        h.Coord.ToHex2d(out double x, out double y);
        Hex2dToGeo(x, y, h.Face, res, false, out lat, out lng);
    }

    /// <summary>Moves a FaceIJK address onto the correct face when it lies past its face's edge.</summary>
    internal static Overage AdjustOverageClassII(ref FaceIjk fijk, int res, bool pentLeading4, bool substrate)
    {
        Overage overage = Overage.None;
        ref CoordIjk ijk = ref fijk.Coord;
        int maxDim = MaxDimByCIIres[res];
        if (substrate) maxDim *= 3;

        int sum = ijk.I + ijk.J + ijk.K;
        if (substrate && sum == maxDim)
        {
            overage = Overage.FaceEdge;
        }
        else if (sum > maxDim)
        {
            overage = Overage.NewFace;
            int quadrant;
            if (ijk.K > 0)
            {
                if (ijk.J > 0)
                {
                    quadrant = Jk;
                }
                else
                {
                    quadrant = Ki;
                    if (pentLeading4)
                    {
                        // rotate about the pentagon centre to skip the deleted subsequence
                        var origin = new CoordIjk(maxDim, 0, 0);
                        CoordIjk tmp = CoordIjk.Sub(ijk, origin);
                        tmp.Rotate60Cw();
                        ijk = CoordIjk.Add(tmp, origin);
                    }
                }
            }
            else
            {
                quadrant = Ij;
            }

            int o = fijk.Face * 20 + quadrant * 5;
            fijk.Face = FaceNeighbors[o];
            int rots = FaceNeighbors[o + 4];
            for (int i = 0; i < rots; i++) ijk.Rotate60Ccw();

            int unitScale = UnitScaleByCIIres[res];
            if (substrate) unitScale *= 3;
            ijk.I += FaceNeighbors[o + 1] * unitScale;
            ijk.J += FaceNeighbors[o + 2] * unitScale;
            ijk.K += FaceNeighbors[o + 3] * unitScale;
            ijk.Normalize();

            if (substrate && ijk.I + ijk.J + ijk.K == maxDim) overage = Overage.FaceEdge;
        }

        return overage;
    }

    private static Overage AdjustPentVertOverage(ref FaceIjk fijk, int res)
    {
        Overage overage;
        do
        {
            overage = AdjustOverageClassII(ref fijk, res, false, true);
        }
        while (overage == Overage.NewFace);
        return overage;
    }

    /// <summary>Cell vertices as substrate-grid FaceIJK addresses; <paramref name="res"/> becomes the substrate resolution.</summary>
    internal static void FaceIjkToVerts(ref FaceIjk fijk, ref int res, Span<FaceIjk> verts, int count)
    {
        CoordIjk[] baseVerts = IsClassIII(res) ? VertsCIII : VertsCII;
        fijk.Coord.DownAp3();
        fijk.Coord.DownAp3r();
        if (IsClassIII(res))
        {
            fijk.Coord.DownAp7r();
            res += 1;
        }

        for (int v = 0; v < count; v++)
        {
            CoordIjk c = CoordIjk.Add(fijk.Coord, baseVerts[v]);
            c.Normalize();
            verts[v] = new FaceIjk(fijk.Face, c);
        }
    }

    private static void Intersect(double p0x, double p0y, double p1x, double p1y, double p2x, double p2y, double p3x, double p3y, out double ix, out double iy)
    {
        double s1x = p1x - p0x, s1y = p1y - p0y;
        double s2x = p3x - p2x, s2y = p3y - p2y;
        // upstream keeps t in single precision; reproduce it for identical distortion vertices
        double t = (s2x * (p0y - p2y) - s2y * (p0x - p2x)) / (-s2x * s1y + s1x * s2y);
        ix = p0x + (t * s1x);
        iy = p0y + (t * s1y);
    }

    private static void FaceEdgeVerts(int quadrant, int maxDim, out double e0x, out double e0y, out double e1x, out double e1y)
    {
        double v0x = 3.0 * maxDim, v0y = 0.0;
        double v1x = -1.5 * maxDim, v1y = 3.0 * Constants.Sqrt3Over2 * maxDim;
        double v2x = -1.5 * maxDim, v2y = -3.0 * Constants.Sqrt3Over2 * maxDim;
        switch (quadrant)
        {
            case Ij: e0x = v0x; e0y = v0y; e1x = v1x; e1y = v1y; break;
            case Jk: e0x = v1x; e0y = v1y; e1x = v2x; e1y = v2y; break;
            default: e0x = v2x; e0y = v2y; e1x = v0x; e1y = v0y; break;
        }
    }

    /// <summary>Boundary of a hexagon (upstream _faceIjkToCellBoundary); returns the vertex count.</summary>
    internal static int HexBoundary(FaceIjk h, int res, Span<LatLng> output)
    {
        int adjRes = res;
        FaceIjk center = h;
        Span<FaceIjk> fijkVerts = stackalloc FaceIjk[Constants.NumHexVerts];
        FaceIjkToVerts(ref center, ref adjRes, fijkVerts, Constants.NumHexVerts);

        int n = 0;
        int lastFace = -1;
        Overage lastOverage = Overage.None;
        bool classIII = IsClassIII(res);
        for (int vert = 0; vert < Constants.NumHexVerts + 1; vert++)
        {
            int v = vert % Constants.NumHexVerts;
            FaceIjk fijk = fijkVerts[v];
            Overage overage = AdjustOverageClassII(ref fijk, adjRes, false, true);

            // A Class III edge crossing an icosahedron edge gets an extra vertex on that edge.
            if (classIII && vert > 0 && fijk.Face != lastFace && lastOverage != Overage.FaceEdge)
            {
                int lastV = (v + 5) % Constants.NumHexVerts;
                fijkVerts[lastV].Coord.ToHex2d(out double o0x, out double o0y);
                fijkVerts[v].Coord.ToHex2d(out double o1x, out double o1y);

                int maxDim = MaxDimByCIIres[adjRes];
                int face2 = lastFace == center.Face ? fijk.Face : lastFace;
                FaceEdgeVerts(AdjacentFaceDir[center.Face * 20 + face2], maxDim, out double e0x, out double e0y, out double e1x, out double e1y);
                Intersect(o0x, o0y, o1x, o1y, e0x, e0y, e1x, e1y, out double ix, out double iy);

                // An intersection at a hexagon vertex needs no extra vertex.
                bool atVertex = AlmostEqual(o0x, o0y, ix, iy) || AlmostEqual(o1x, o1y, ix, iy);
                if (!atVertex)
                {
                    Hex2dToGeo(ix, iy, center.Face, adjRes, true, out double la, out double ln);
                    output[n++] = new LatLng(la, ln);
                }
            }

            if (vert < Constants.NumHexVerts)
            {
                fijk.Coord.ToHex2d(out double vx, out double vy);
                Hex2dToGeo(vx, vy, fijk.Face, adjRes, true, out double la, out double ln);
                output[n++] = new LatLng(la, ln);
            }

            lastFace = fijk.Face;
            lastOverage = overage;
        }

        return n;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool AlmostEqual(double ax, double ay, double bx, double by) =>
        Math.Abs(ax - bx) < FltEpsilon && Math.Abs(ay - by) < FltEpsilon;

    // C's FLT_EPSILON, as used by upstream _v2dAlmostEquals.
    private const double FltEpsilon = 1.1920928955078125e-07;

    /// <summary>Boundary of a pentagon (upstream _faceIjkPentToCellBoundary); returns the vertex count.</summary>
    internal static int PentBoundary(FaceIjk h, int res, Span<LatLng> output)
    {
        int adjRes = res;
        FaceIjk center = h;
        Span<FaceIjk> fijkVerts = stackalloc FaceIjk[Constants.NumHexVerts];
        FaceIjkToVerts(ref center, ref adjRes, fijkVerts, Constants.NumPentVerts);

        int n = 0;
        FaceIjk lastFijk = default;
        bool classIII = IsClassIII(res);
        for (int vert = 0; vert < Constants.NumPentVerts + 1; vert++)
        {
            int v = vert % Constants.NumPentVerts;
            FaceIjk fijk = fijkVerts[v];
            AdjustPentVertOverage(ref fijk, adjRes);

            // every Class III pentagon edge crosses an icosahedron edge
            if (classIII && vert > 0)
            {
                FaceIjk tmp = fijk;
                lastFijk.Coord.ToHex2d(out double o0x, out double o0y);

                int currentToLastDir = AdjacentFaceDir[tmp.Face * 20 + lastFijk.Face];
                int o = tmp.Face * 20 + currentToLastDir * 5;
                tmp.Face = FaceNeighbors[o];
                int rots = FaceNeighbors[o + 4];
                for (int i = 0; i < rots; i++) tmp.Coord.Rotate60Ccw();
                int scale = UnitScaleByCIIres[adjRes] * 3;
                tmp.Coord.I += FaceNeighbors[o + 1] * scale;
                tmp.Coord.J += FaceNeighbors[o + 2] * scale;
                tmp.Coord.K += FaceNeighbors[o + 3] * scale;
                tmp.Coord.Normalize();
                tmp.Coord.ToHex2d(out double o1x, out double o1y);

                int maxDim = MaxDimByCIIres[adjRes];
                FaceEdgeVerts(AdjacentFaceDir[tmp.Face * 20 + fijk.Face], maxDim, out double e0x, out double e0y, out double e1x, out double e1y);
                Intersect(o0x, o0y, o1x, o1y, e0x, e0y, e1x, e1y, out double ix, out double iy);
                Hex2dToGeo(ix, iy, tmp.Face, adjRes, true, out double la, out double ln);
                output[n++] = new LatLng(la, ln);
            }

            if (vert < Constants.NumPentVerts)
            {
                fijk.Coord.ToHex2d(out double vx, out double vy);
                Hex2dToGeo(vx, vy, fijk.Face, adjRes, true, out double la, out double ln);
                output[n++] = new LatLng(la, ln);
            }

            lastFijk = fijk;
        }

        return n;
    }
}
