using System.Buffers.Binary;
using System.Text;

namespace Halo.Api.Tests.Features.Media;

/// <summary>
/// Independent, minimal readers for the tests: they walk a container the way a player's demuxer starts to, and fail
/// loudly on any inconsistency, so a stored file is shown to still be well-formed.
/// </summary>
public static class ContainerReading
{
    public sealed record Box(long Start, long Size, int Header, string Type, List<Box> Children)
    {
        public long End => Start + Size;
        public Box? Find(params string[] path)
        {
            var at = this;
            foreach (var t in path) { at = at.Children.FirstOrDefault(c => c.Type == t); if (at is null) return null; }
            return at;
        }
    }

    private static readonly HashSet<string> IsoContainers = ["moov", "trak", "mdia", "minf", "stbl", "edts", "dinf"];

    /// <summary>The ISO BMFF box tree (containers down to stbl); throws unless sizes tile the file and every container.</summary>
    public static Box IsoTree(byte[] b) => new(0, b.Length, 0, "<file>", IsoChildren(b, 0, b.Length));

    private static List<Box> IsoChildren(byte[] b, long start, long end)
    {
        var list = new List<Box>();
        var p = start;
        while (p < end)
        {
            if (end - p < 8) throw new InvalidDataException($"bytes left over at {p}");
            long size = BinaryPrimitives.ReadUInt32BigEndian(b.AsSpan((int)p));
            var header = 8;
            if (size == 1) { size = (long)BinaryPrimitives.ReadUInt64BigEndian(b.AsSpan((int)p + 8)); header = 16; }
            else if (size == 0) size = end - p;
            if (size < header || p + size > end) throw new InvalidDataException($"box at {p} overruns its parent");
            var type = Encoding.Latin1.GetString(b, (int)p + 4, 4);
            var children = IsoContainers.Contains(type) ? IsoChildren(b, p + header, p + size) : [];
            list.Add(new Box(p, size, header, type, children));
            p += size;
        }
        return list;
    }

    public static IEnumerable<Box> All(Box root) => root.Children.SelectMany(c => new[] { c }.Concat(All(c)));

    /// <summary>Chunk offsets (stco/co64) of every track, in order.</summary>
    public static List<long> ChunkOffsets(byte[] b, Box root)
    {
        var offsets = new List<long>();
        foreach (var box in All(root).Where(x => x.Type is "stco" or "co64"))
        {
            var n = BinaryPrimitives.ReadUInt32BigEndian(b.AsSpan((int)box.Start + box.Header + 4));
            for (var i = 0; i < n; i++)
                offsets.Add(box.Type == "stco"
                    ? BinaryPrimitives.ReadUInt32BigEndian(b.AsSpan((int)box.Start + box.Header + 8 + i * 4))
                    : (long)BinaryPrimitives.ReadUInt64BigEndian(b.AsSpan((int)box.Start + box.Header + 8 + i * 8)));
        }
        return offsets;
    }

    /// <summary>The creation time field of an mvhd/tkhd/mdhd box.</summary>
    public static ulong CreationTime(byte[] b, Box box)
    {
        var payload = (int)box.Start + box.Header;
        return b[payload] == 1 ? BinaryPrimitives.ReadUInt64BigEndian(b.AsSpan(payload + 4)) : BinaryPrimitives.ReadUInt32BigEndian(b.AsSpan(payload + 4));
    }

    public sealed record Ebml(long Start, uint Id, long DataStart, long Size)
    {
        public long End => Size < 0 ? -1 : DataStart + Size;
    }

    /// <summary>Elements from <paramref name="start"/> to <paramref name="end"/> (one level); unknown sizes come back as -1.</summary>
    public static List<Ebml> EbmlChildren(byte[] b, long start, long end)
    {
        var list = new List<Ebml>();
        var p = start;
        while (p < end)
        {
            var e = EbmlAt(b, p);
            list.Add(e);
            if (e.Size < 0) break;
            if (e.End > end) throw new InvalidDataException($"element at {p} overruns its parent");
            p = e.End;
        }
        return list;
    }

    public static Ebml EbmlAt(byte[] b, long p)
    {
        int idLength = 1;
        while (idLength <= 4 && (b[p] & (0x80 >> (idLength - 1))) == 0) idLength++;
        if (idLength > 4) throw new InvalidDataException($"bad id at {p}");
        uint id = 0;
        for (var i = 0; i < idLength; i++) id = id << 8 | b[p + i];
        var s = p + idLength;
        int sizeLength = 1;
        while (sizeLength <= 8 && (b[s] & (0x80 >> (sizeLength - 1))) == 0) sizeLength++;
        if (sizeLength > 8) throw new InvalidDataException($"bad size at {s}");
        long value = b[s] & (0xFF >> sizeLength);
        var ones = value == 0xFF >> sizeLength;
        for (var i = 1; i < sizeLength; i++) { value = value << 8 | b[s + i]; ones &= b[s + i] == 0xFF; }
        return new Ebml(p, id, s + sizeLength, ones ? -1 : value);
    }

    /// <summary>RIFF chunks after the form type: id, payload start, size.</summary>
    public static List<(string Id, int Start, int Size)> RiffChunks(byte[] b)
    {
        var list = new List<(string, int, int)>();
        var riffEnd = 8 + (int)BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(4));
        if (riffEnd != b.Length) throw new InvalidDataException("RIFF size is not the file size");
        var p = 12;
        while (p < riffEnd)
        {
            var size = (int)BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(p + 4));
            list.Add((Encoding.ASCII.GetString(b, p, 4), p + 8, size));
            p += 8 + size + (size & 1);
        }
        if (p != riffEnd) throw new InvalidDataException("chunks overrun the RIFF size");
        return list;
    }

    public sealed record OggPage(int Start, int Length, uint Serial, uint Sequence, byte Flags, uint Crc, List<byte[]> Segments);

    /// <summary>Ogg pages; throws unless they tile the file.</summary>
    public static List<OggPage> OggPages(byte[] b)
    {
        var pages = new List<OggPage>();
        var p = 0;
        while (p < b.Length)
        {
            if (!b.AsSpan(p, 4).SequenceEqual("OggS"u8)) throw new InvalidDataException($"no capture pattern at {p}");
            int n = b[p + 26];
            var body = p + 27 + n;
            var segments = new List<byte[]>();
            for (var i = 0; i < n; i++) { segments.Add(b[body..(body + b[p + 27 + i])]); body += b[p + 27 + i]; }
            pages.Add(new OggPage(p, body - p, BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(p + 14)),
                BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(p + 18)), b[p + 5], BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(p + 22)), segments));
            p = body;
        }
        return pages;
    }

    /// <summary>The Ogg CRC, computed bit by bit (polynomial 0x04C11DB7, MSB first) with the CRC field as zero.</summary>
    public static uint OggCrc(ReadOnlySpan<byte> page)
    {
        uint crc = 0;
        for (var i = 0; i < page.Length; i++)
        {
            crc ^= (uint)(i is >= 22 and < 26 ? 0 : page[i]) << 24;
            for (var k = 0; k < 8; k++) crc = (crc & 0x80000000) != 0 ? (crc << 1) ^ 0x04C11DB7 : crc << 1;
        }
        return crc;
    }

    /// <summary>The packets of one Ogg stream, joined across pages by the lacing values.</summary>
    public static List<byte[]> OggPackets(List<OggPage> pages, uint serial)
    {
        var packets = new List<byte[]>();
        var current = new List<byte>();
        foreach (var page in pages.Where(x => x.Serial == serial))
            foreach (var segment in page.Segments)
            {
                current.AddRange(segment);
                if (segment.Length < 255) { packets.Add([.. current]); current.Clear(); }
            }
        return packets;
    }

    public static bool ContainsAscii(byte[] b, string s) => b.AsSpan().IndexOf(Encoding.ASCII.GetBytes(s)) >= 0;
}
