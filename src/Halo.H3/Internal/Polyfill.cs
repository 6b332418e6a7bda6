namespace Halo.H3.Internal;

/// <summary>Bounding box in radians; east &lt; west means it crosses the antimeridian (upstream BBox).</summary>
internal readonly record struct BBox(double North, double South, double East, double West)
{
    public bool IsTransmeridian => East < West;

    public bool Contains(double lat, double lng) =>
        lat >= South && lat <= North && (IsTransmeridian ? lng >= West || lng <= East : lng >= West && lng <= East);

    /// <summary>Upstream bboxFromGeoLoop: an edge spanning more than π of longitude marks the loop transmeridian.</summary>
    public static BBox FromLoop(ReadOnlySpan<LatLng> loop)
    {
        if (loop.IsEmpty) return default;
        double south = double.MaxValue, west = double.MaxValue, north = -double.MaxValue, east = -double.MaxValue;
        double minPosLng = double.MaxValue, maxNegLng = -double.MaxValue;
        bool transmeridian = false;
        for (int i = 0; i < loop.Length; i++)
        {
            double lat = loop[i].Lat, lng = loop[i].Lng;
            double nextLng = loop[(i + 1) % loop.Length].Lng;
            if (lat < south) south = lat;
            if (lng < west) west = lng;
            if (lat > north) north = lat;
            if (lng > east) east = lng;
            if (lng > 0 && lng < minPosLng) minPosLng = lng;
            if (lng < 0 && lng > maxNegLng) maxNegLng = lng;
            if (Math.Abs(lng - nextLng) > Math.PI) transmeridian = true;
        }
        return transmeridian ? new BBox(north, south, maxNegLng, minPosLng) : new BBox(north, south, east, west);
    }
}

/// <summary>Polygon to cells with centre containment (upstream polygonToCells in algos.c: trace the loops, then flood).</summary>
internal static class Polyfill
{
    /// <summary>Upstream pointInsideGeoLoop: ray casting in lat/lng with its exact tie-breaking rules.</summary>
    internal static bool PointInsideLoop(ReadOnlySpan<LatLng> loop, in BBox bbox, double lat, double lng)
    {
        if (!bbox.Contains(lat, lng)) return false;
        bool transmeridian = bbox.IsTransmeridian;
        bool contains = false;
        lng = Normalize(lng, transmeridian);
        for (int i = 0; i < loop.Length; i++)
        {
            LatLng a = loop[i];
            LatLng b = loop[(i + 1) % loop.Length];
            if (a.Lat > b.Lat) (a, b) = (b, a);

            // nudge north so a ray through a vertex is not counted twice
            if (lat == a.Lat || lat == b.Lat) lat += DblEpsilon;
            if (lat < a.Lat || lat > b.Lat) continue;

            double aLng = Normalize(a.Lng, transmeridian);
            double bLng = Normalize(b.Lng, transmeridian);
            // rays are cast eastwards; on an exact longitude match bias west
            if (aLng == lng || bLng == lng) lng -= DblEpsilon;

            double ratio = (lat - a.Lat) / (b.Lat - a.Lat);
            double testLng = Normalize(aLng + (bLng - aLng) * ratio, transmeridian);
            if (testLng > lng) contains = !contains;
        }
        return contains;
    }

    private const double DblEpsilon = 2.220446049250313e-16; // C's DBL_EPSILON

    private static double Normalize(double lng, bool transmeridian) => transmeridian && lng < 0 ? lng + Constants.TwoPi : lng;

    internal static bool PointInsidePolygon(GeoPolygon polygon, BBox[] bboxes, double lat, double lng)
    {
        if (!PointInsideLoop(polygon.Exterior, bboxes[0], lat, lng)) return false;
        for (int i = 0; i < polygon.Holes.Length; i++)
        {
            if (PointInsideLoop(polygon.Holes[i], bboxes[i + 1], lat, lng)) return false;
        }
        return true;
    }

    internal static double GreatCircleDistanceRads(double aLat, double aLng, double bLat, double bLng)
    {
        double sinLat = FdLibm.Sin((bLat - aLat) * 0.5);
        double sinLng = FdLibm.Sin((bLng - aLng) * 0.5);
        double x = sinLat * sinLat + FdLibm.Cos(aLat) * FdLibm.Cos(bLat) * sinLng * sinLng;
        return 2 * FdLibm.Atan2(Math.Sqrt(x), Math.Sqrt(1 - x));
    }

    private static readonly double[] PentagonRadiusKm = ComputePentagonRadii();

    private static double[] ComputePentagonRadii()
    {
        // upstream _hexRadiusKm(first pentagon): centre to first vertex, the most distorted cell
        var radii = new double[16];
        Span<LatLng> verts = stackalloc LatLng[Constants.MaxCellBoundaryVerts];
        for (int res = 0; res <= 15; res++)
        {
            var pent = new H3Index(IndexOps.Make(res, 4, 0));
            LatLng c = H3.CellToLatLng(pent);
            H3.CellToBoundary(pent, verts);
            radii[res] = GreatCircleDistanceRads(c.Lat, c.Lng, verts[0].Lat, verts[0].Lng) * Constants.EarthRadiusKm;
        }
        return radii;
    }

    private static long LineHexEstimate(LatLng a, LatLng b, int res)
    {
        double dist = GreatCircleDistanceRads(a.Lat, a.Lng, b.Lat, b.Lng) * Constants.EarthRadiusKm;
        double distCeil = Math.Ceiling(dist / (2 * PentagonRadiusKm[res]));
        if (!double.IsFinite(distCeil)) throw new H3Exception(H3Error.Failed, "Polygon vertices must be finite.");
        long estimate = (long)distCeil;
        return estimate == 0 ? 1 : estimate;
    }

    /// <summary>Seeds the search with the cells under points sampled along a loop, as upstream _getEdgeHexagons.</summary>
    private static void TraceLoop(LatLng[] loop, int res, HashSet<ulong> search)
    {
        for (int i = 0; i < loop.Length; i++)
        {
            LatLng origin = loop[i];
            LatLng destination = i == loop.Length - 1 ? loop[0] : loop[i + 1];
            long n = LineHexEstimate(origin, destination, res);
            for (long j = 0; j < n; j++)
            {
                // same arithmetic order as upstream so the samples are bit-identical
                double lat = (origin.Lat * (n - j) / n) + (destination.Lat * j / n);
                double lng = (origin.Lng * (n - j) / n) + (destination.Lng * j / n);
                search.Add(IndexOps.FaceIjkToH3(FaceGeometry.GeoToFaceIjk(lat, lng, res), res));
            }
        }
    }

    internal static List<H3Index> Fill(GeoPolygon polygon, int res)
    {
        var result = new List<H3Index>();
        if (polygon.Exterior.Length == 0) return result;

        var bboxes = new BBox[polygon.Holes.Length + 1];
        bboxes[0] = BBox.FromLoop(polygon.Exterior);
        for (int i = 0; i < polygon.Holes.Length; i++) bboxes[i + 1] = BBox.FromLoop(polygon.Holes[i]);

        var search = new HashSet<ulong>();
        TraceLoop(polygon.Exterior, res, search);
        foreach (LatLng[] hole in polygon.Holes) TraceLoop(hole, res, search);

        // Flood: test each neighbour of the frontier once; cells whose centre is inside join the result
        // and the next frontier. `tested` remembers outside cells too, so no centre is tested twice.
        var tested = new HashSet<ulong>();
        List<ulong> frontier = [.. search];
        var next = new List<ulong>();
        Span<H3Index> ring = stackalloc H3Index[7];
        while (frontier.Count > 0)
        {
            foreach (ulong cell in frontier)
            {
                int n = H3.GridDisk(new H3Index(cell), 1, ring);
                for (int i = 0; i < n; i++)
                {
                    ulong h = ring[i].Value;
                    if (!tested.Add(h)) continue;
                    FaceGeometry.FaceIjkToGeo(IndexOps.ToFaceIjk(h), res, out double lat, out double lng);
                    if (!PointInsidePolygon(polygon, bboxes, lat, lng)) continue;
                    result.Add(new H3Index(h));
                    next.Add(h);
                }
            }
            (frontier, next) = (next, frontier);
            next.Clear();
        }

        return result;
    }
}
