using System.Buffers.Binary;
using System.Text;

namespace Halo.Api.Features.Media.Containers;

/// <summary>
/// ISO base media files (MP4, MOV, M4A): the box tree is walked and checked (sizes tile the file and every container,
/// one <c>moov</c> with <c>mvhd</c> and at least one <c>trak</c>, an <c>mdat</c>, every chunk of every track inside an
/// <c>mdat</c>), then metadata is blanked in place: each box not on the short list a player needs becomes a <c>free</c>
/// box of the same size with a zeroed payload, so no byte moves and the chunk offsets stay valid. That removes
/// <c>udta</c> (QuickTime <c>©xyz</c> location, make, model, title), <c>meta</c> (iTunes tags, Apple keys such as
/// <c>com.apple.quicktime.location.ISO6709</c>), <c>uuid</c> (XMP, vendor GPS). Creation and modification times in
/// <c>mvhd</c>/<c>tkhd</c>/<c>mdhd</c> are zeroed, as are the samples of timed-metadata tracks (handler <c>meta</c>, e.g.
/// GPS telemetry) and the payload of existing free space, which may hold leftovers of an earlier edit.
/// </summary>
internal static class IsoBmff
{
    private const int MaxMoovBytes = 64 << 20;

    private static readonly HashSet<string> TopLevelKept = ["ftyp", "moov", "mdat", "moof", "mfra", "sidx", "ssix", "styp", "emsg", "prft", "pdin", "free", "skip", "wide"];
    private static readonly HashSet<string> FreeSpace = ["free", "skip", "wide"];

    private readonly record struct Box(long Start, int HeaderLength, long Size, string Type)
    {
        public long PayloadStart => Start + HeaderLength;
        public long End => Start + Size;
    }

    private static MediaRejectedException Bad(string why) => new($"The file is not a valid MP4/QuickTime file: {why}.");

    public static void Sanitize(FileStream f)
    {
        var length = f.Length;
        var top = new List<Box>();
        var header = new byte[16];
        long pos = 0;
        while (pos < length)
        {
            if (length - pos < 8) throw Bad("bytes after the last box");
            f.Position = pos;
            f.ReadExactly(header, 0, 8);
            var box = ReadHeader(header, pos, length - pos, () => f.ReadExactly(header, 8, 8));
            if (!IsFourCc(header.AsSpan(4, 4))) throw Bad("a box type is not a four-character code");
            top.Add(box);
            pos = box.End;
        }

        if (top.Count == 0) throw Bad("no boxes");
        if (top[0].Type == "ftyp" ? top[0].Size is < 16 or > 4096 : !FreeSpace.Contains(top[0].Type) && top[0].Type is not ("moov" or "mdat"))
            throw Bad("it does not start with a file type box");
        var moovs = top.Where(b => b.Type == "moov").ToList();
        if (moovs.Count != 1) throw Bad(moovs.Count == 0 ? "no movie box (moov)" : "more than one movie box");
        var mdats = top.Where(b => b.Type == "mdat").Select(b => (Start: b.PayloadStart, b.End)).ToList();
        if (mdats.Count == 0) throw Bad("no media data box (mdat)");
        var moovBox = moovs[0];
        if (moovBox.Size > MaxMoovBytes) throw Bad("the movie box is implausibly large");

        var moov = new byte[moovBox.Size];
        f.Position = moovBox.Start;
        f.ReadExactly(moov);
        var metadataSamples = new List<(long Start, long Length)>();
        SanitizeMoov(moov, mdats, metadataSamples);

        foreach (var box in top)
        {
            if (box.Type == "moov" || box.Type == "mdat" || box.Type == "ftyp") continue;
            if (FreeSpace.Contains(box.Type)) ZeroFile(f, box.PayloadStart, box.Size - box.HeaderLength);
            else if (!TopLevelKept.Contains(box.Type)) BlankFile(f, box);
        }
        f.Position = moovBox.Start;
        f.Write(moov);
        foreach (var (start, len) in metadataSamples) ZeroFile(f, start, len);
        f.Flush();
    }

    /// <summary>Size and type at <paramref name="start"/>: 32-bit size, 1 = a 64-bit size follows, 0 = to the end.</summary>
    private static Box ReadHeader(byte[] h, long start, long available, Action readLargeSize)
    {
        long size = BinaryPrimitives.ReadUInt32BigEndian(h);
        var headerLength = 8;
        if (size == 1)
        {
            if (available < 16) throw Bad("a box header is cut off");
            readLargeSize();
            var large = BinaryPrimitives.ReadUInt64BigEndian(h.AsSpan(8));
            size = large > long.MaxValue ? long.MaxValue : (long)large;
            headerLength = 16;
        }
        else if (size == 0) size = available;
        if (size < headerLength || size > available) throw Bad("a box's size runs past its container (truncated?)");
        return new Box(start, headerLength, size, Encoding.Latin1.GetString(h, 4, 4));
    }

    private static bool IsFourCc(ReadOnlySpan<byte> t)
    {
        foreach (var c in t) if (c is < 0x20 or > 0x7E) return false;
        return true;
    }

    private static List<Box> Children(byte[] m, long start, long end)
    {
        var list = new List<Box>();
        var h = new byte[16];
        var p = start;
        while (p < end)
        {
            // QuickTime allows a 32-bit zero to end an atom list.
            if (end - p < 8)
            {
                if (end - p == 4 && BinaryPrimitives.ReadUInt32BigEndian(m.AsSpan((int)p)) == 0) break;
                throw Bad("bytes after the last box in a container");
            }
            m.AsSpan((int)p, 8).CopyTo(h);
            var at = p;
            var box = ReadHeader(h, p, end - p, () => m.AsSpan((int)at + 8, 8).CopyTo(h.AsSpan(8)));
            list.Add(box);
            p = box.End;
        }
        return list;
    }

    private static void SanitizeMoov(byte[] m, List<(long Start, long End)> mdats, List<(long, long)> metadataSamples)
    {
        var offset = BinaryPrimitives.ReadUInt32BigEndian(m) == 1 ? 16 : 8;
        // Offsets inside the buffer are relative to the moov box; chunk offsets in the file are absolute.
        var children = Children(m, offset, m.Length);
        bool mvhd = false, trak = false;
        foreach (var c in children)
        {
            switch (c.Type)
            {
                case "mvhd": ZeroTimes(m, c); mvhd = true; break;
                case "trak": SanitizeTrak(m, c, mdats, metadataSamples); trak = true; break;
                case "mvex" or "iods": break;
                case "cmov": throw Bad("compressed movie headers are not accepted");
                default: Blank(m, c); break;
            }
        }
        if (!mvhd) throw Bad("no movie header (mvhd)");
        if (!trak) throw Bad("no track (trak)");
    }

    private static void SanitizeTrak(byte[] m, Box trak, List<(long Start, long End)> mdats, List<(long, long)> metadataSamples)
    {
        bool tkhd = false, mdia = false;
        foreach (var c in Children(m, trak.PayloadStart, trak.End))
        {
            switch (c.Type)
            {
                case "tkhd": ZeroTimes(m, c); tkhd = true; break;
                case "mdia": SanitizeMdia(m, c, mdats, metadataSamples); mdia = true; break;
                case "edts" or "tref" or "tapt" or "trgr" or "load": break;
                default: Blank(m, c); break;
            }
        }
        if (!tkhd || !mdia) throw Bad("a track without header or media (tkhd, mdia)");
    }

    private static void SanitizeMdia(byte[] m, Box mdia, List<(long Start, long End)> mdats, List<(long, long)> metadataSamples)
    {
        string? handler = null;
        Box? minf = null;
        var mdhd = false;
        foreach (var c in Children(m, mdia.PayloadStart, mdia.End))
        {
            switch (c.Type)
            {
                case "mdhd": ZeroTimes(m, c); mdhd = true; break;
                case "hdlr":
                    if (c.Size - c.HeaderLength < 12) throw Bad("a handler box is too short");
                    handler = Encoding.Latin1.GetString(m, (int)c.PayloadStart + 8, 4);
                    break;
                case "minf": minf = c; break;
                case "elng": break;
                default: Blank(m, c); break;
            }
        }
        if (!mdhd || handler is null || minf is null) throw Bad("a track's media lacks mdhd, hdlr or minf");

        Box? stbl = null;
        foreach (var c in Children(m, minf.Value.PayloadStart, minf.Value.End))
        {
            switch (c.Type)
            {
                case "stbl": stbl = c; break;
                case "vmhd" or "smhd" or "hmhd" or "nmhd" or "sthd" or "gmhd" or "dinf" or "hdlr": break;
                default: Blank(m, c); break;
            }
        }
        if (stbl is null) throw Bad("a track has no sample table (stbl)");
        var chunks = Chunks(m, stbl.Value);
        foreach (var (start, len) in chunks)
        {
            if (len == 0) continue;
            if (!mdats.Any(d => start >= d.Start && len <= d.End - start)) throw Bad("a track's samples lie outside the media data");
        }
        // Timed metadata (e.g. GPS telemetry) is sample data, not a box: zero its samples, keep the track's structure.
        if (handler == "meta") metadataSamples.AddRange(chunks);
    }

    /// <summary>Byte ranges of a track's chunks, from stco/co64 (offsets), stsc (samples per chunk) and stsz/stz2 (sizes).</summary>
    private static List<(long Start, long Length)> Chunks(byte[] m, Box stbl)
    {
        Box? stsd = null, stsz = null, stz2 = null, stsc = null, stco = null, co64 = null;
        foreach (var c in Children(m, stbl.PayloadStart, stbl.End))
        {
            switch (c.Type)
            {
                case "stsd": stsd = c; break;
                case "stsz": stsz = c; break;
                case "stz2": stz2 = c; break;
                case "stsc": stsc = c; break;
                case "stco": stco = c; break;
                case "co64": co64 = c; break;
            }
        }
        if (stsd is null || (stsz ?? stz2) is null || stsc is null || (stco ?? co64) is null) throw Bad("a sample table lacks stsd, stsz, stsc or stco");

        var offsets = new List<long>();
        var table = (stco ?? co64)!.Value;
        var wide = co64 is not null;
        var count = Count(m, table, 8, wide ? 8 : 4);
        for (long i = 0; i < count; i++)
        {
            var at = (int)(table.PayloadStart + 8 + i * (wide ? 8 : 4));
            offsets.Add(wide ? (long)Math.Min(BinaryPrimitives.ReadUInt64BigEndian(m.AsSpan(at)), long.MaxValue) : BinaryPrimitives.ReadUInt32BigEndian(m.AsSpan(at)));
        }

        var sizes = SampleSizes(m, stsz, stz2);
        var sc = stsc.Value;
        var entries = Count(m, sc, 8, 12);
        var ranges = new List<(long, long)>(offsets.Count);
        long sample = 0;
        for (var e = 0; e < entries; e++)
        {
            var at = (int)(sc.PayloadStart + 8 + e * 12);
            long first = BinaryPrimitives.ReadUInt32BigEndian(m.AsSpan(at));
            long perChunk = BinaryPrimitives.ReadUInt32BigEndian(m.AsSpan(at + 4));
            long next = e + 1 < entries ? BinaryPrimitives.ReadUInt32BigEndian(m.AsSpan(at + 12)) : offsets.Count + 1;
            if (first < 1 || next <= first || next > offsets.Count + 1) throw Bad("the sample-to-chunk table is inconsistent");
            for (var chunk = first; chunk < next; chunk++)
            {
                if (sample + perChunk > sizes.Count) throw Bad("more samples in chunks than sample sizes");
                long bytes = 0;
                if (sizes.Constant is { } constant) bytes = (long)Math.Min((ulong)perChunk * (ulong)constant, long.MaxValue);
                else for (var s = sample; s < sample + perChunk; s++) bytes += sizes.Size(s);
                sample += perChunk;
                ranges.Add((offsets[(int)chunk - 1], bytes));
            }
        }
        return ranges;
    }

    private sealed class SizeTable(long count, Func<long, long> size, long? constant = null)
    {
        public long Count { get; } = count;
        public long? Constant { get; } = constant;
        public long Size(long i) => size(i);
    }

    private static SizeTable SampleSizes(byte[] m, Box? stsz, Box? stz2)
    {
        if (stsz is { } z)
        {
            if (z.Size - z.HeaderLength < 12) throw Bad("a sample size box is too short");
            long constant = BinaryPrimitives.ReadUInt32BigEndian(m.AsSpan((int)z.PayloadStart + 4));
            long n = BinaryPrimitives.ReadUInt32BigEndian(m.AsSpan((int)z.PayloadStart + 8));
            if (constant != 0) return new SizeTable(n, _ => constant, constant);
            if (n * 4 > z.Size - z.HeaderLength - 12) throw Bad("the sample size table runs past its box");
            var at = (int)z.PayloadStart + 12;
            return new SizeTable(n, i => BinaryPrimitives.ReadUInt32BigEndian(m.AsSpan(at + (int)i * 4)));
        }
        var b = stz2!.Value;
        if (b.Size - b.HeaderLength < 12) throw Bad("a compact sample size box is too short");
        int field = m[b.PayloadStart + 7];
        long count = BinaryPrimitives.ReadUInt32BigEndian(m.AsSpan((int)b.PayloadStart + 8));
        if (field is not (4 or 8 or 16) || (count * field + 7) / 8 > b.Size - b.HeaderLength - 12) throw Bad("the compact sample size table is invalid");
        var start = (int)b.PayloadStart + 12;
        return new SizeTable(count, i => field switch
        {
            4 => (m[start + (int)(i / 2)] >> (i % 2 == 0 ? 4 : 0)) & 15,
            8 => m[start + (int)i],
            _ => BinaryPrimitives.ReadUInt16BigEndian(m.AsSpan(start + (int)i * 2)),
        });
    }

    /// <summary>A full box's entry count (after version/flags), checked against the box size.</summary>
    private static long Count(byte[] m, Box b, int headerBytes, int entryBytes)
    {
        if (b.Size - b.HeaderLength < headerBytes) throw Bad($"a {b.Type} box is too short");
        long n = BinaryPrimitives.ReadUInt32BigEndian(m.AsSpan((int)b.PayloadStart + 4));
        if (n * entryBytes > b.Size - b.HeaderLength - headerBytes) throw Bad($"the {b.Type} table runs past its box");
        return n;
    }

    /// <summary>Creation and modification times of mvhd/tkhd/mdhd (32-bit in version 0, 64-bit in version 1).</summary>
    private static void ZeroTimes(byte[] m, Box b)
    {
        var version = b.Size - b.HeaderLength >= 1 ? m[b.PayloadStart] : -1;
        var bytes = version == 1 ? 16 : 8;
        if (b.Size - b.HeaderLength < 4 + bytes) throw Bad($"a {b.Type} box is too short");
        Array.Clear(m, (int)b.PayloadStart + 4, bytes);
    }

    private static void Blank(byte[] m, Box b)
    {
        "free"u8.CopyTo(m.AsSpan((int)b.Start + 4));
        Array.Clear(m, (int)b.PayloadStart, (int)(b.Size - b.HeaderLength));
    }

    private static void BlankFile(FileStream f, Box b)
    {
        f.Position = b.Start + 4;
        f.Write("free"u8);
        ZeroFile(f, b.PayloadStart, b.Size - b.HeaderLength);
    }

    internal static void ZeroFile(FileStream f, long start, long length)
    {
        if (length <= 0) return;
        var zeros = new byte[(int)Math.Min(length, 81920)];
        f.Position = start;
        for (var left = length; left > 0; left -= zeros.Length)
            f.Write(zeros, 0, (int)Math.Min(zeros.Length, left));
    }
}
