using System.Text;

namespace Halo.Api.Features.Media.Containers;

/// <summary>
/// WebM (Matroska with DocType <c>webm</c>): the EBML header, the Segment and its top-level elements are walked and
/// checked (sizes inside their parents, Info, Tracks with at least one audio or video track, Clusters holding blocks;
/// unknown sizes, as live recorders write them, only where the format allows them: Segment and Cluster). Metadata is
/// then overwritten in place with EBML Void elements of the same length, so no byte moves and Cues and SeekHead
/// positions stay valid: Tags, Attachments and Chapters, every Info element but the timestamp scale, duration and the
/// (emptied) muxing and writing application names, track names, the SeekHead entries that pointed at removed elements,
/// and the CRC-32 of every element changed. Trailing bytes after a sized Segment are cut off.
/// </summary>
internal static class Matroska
{
    private const uint EbmlId = 0x1A45DFA3, SegmentId = 0x18538067, VoidId = 0xEC, Crc32Id = 0xBF;
    private const uint SeekHeadId = 0x114D9B74, InfoId = 0x1549A966, TracksId = 0x1654AE6B, ClusterId = 0x1F43B675, CuesId = 0x1C53BB6B;
    private const uint TagsId = 0x1254C367, AttachmentsId = 0x1941A469, ChaptersId = 0x1043A770;
    private const int MaxHeaderElementBytes = 16 << 20;

    private static readonly HashSet<uint> TopLevel = [SeekHeadId, InfoId, TracksId, ClusterId, CuesId, TagsId, AttachmentsId, ChaptersId];

    private readonly record struct Element(long Start, uint Id, int IdLength, int SizeLength, long Size)
    {
        public long DataStart => Start + IdLength + SizeLength;
        public bool UnknownSize => Size < 0;
        public long End => DataStart + Size;
    }

    private static MediaRejectedException Bad(string why) => new($"The file is not a valid WebM file: {why}.");

    /// <summary>Verifies and strips the file in place; the type is video when a video track is present.</summary>
    public static SniffedType Sanitize(FileStream f)
    {
        var length = f.Length;
        var reader = new Reader(f);
        var ebml = reader.Read(0, length);
        if (ebml.Id != EbmlId || ebml.UnknownSize || ebml.Size > 4096 || ebml.End > length) throw Bad("no valid EBML header");
        CheckEbmlHeader(reader.Bytes(ebml));

        var pos = ebml.End;
        Element segment;
        while (true)
        {
            if (pos >= length) throw Bad("no Segment");
            segment = reader.Read(pos, length);
            if (segment.Id == SegmentId) break;
            if (segment.Id != VoidId || segment.UnknownSize || segment.End > length) throw Bad("no Segment after the EBML header");
            pos = segment.End;
        }
        var segmentEnd = segment.UnknownSize ? length : segment.End;
        if (segmentEnd > length) throw Bad("the Segment runs past the end of the file (truncated?)");

        bool info = false, video = false, audio = false;
        long blocks = 0;
        var seekHeads = new List<Element>();
        pos = segment.DataStart;
        while (pos < segmentEnd)
        {
            var e = reader.Read(pos, segmentEnd);
            if (e.UnknownSize)
            {
                if (e.Id != ClusterId) throw Bad("an element of unknown size that may not have one");
                var end = ClusterEnd(reader, e, segmentEnd, ref blocks);
                pos = end;
                continue;
            }
            if (e.End > segmentEnd) throw Bad("an element runs past the Segment (truncated?)");
            switch (e.Id)
            {
                case InfoId:
                    RewriteMaster(f, reader, e, SanitizeInfo);
                    info = true;
                    break;
                case TracksId:
                    RewriteMaster(f, reader, e, (b, s, end) => SanitizeTracks(b, s, end, ref video, ref audio));
                    break;
                case SeekHeadId:
                    seekHeads.Add(e);
                    break;
                case ClusterId:
                    ClusterEnd(reader, e, segmentEnd, ref blocks);
                    break;
                case CuesId or VoidId or Crc32Id:
                    break;
                default:
                    // Tags, Attachments, Chapters and anything unknown at this level.
                    VoidInFile(f, e);
                    break;
            }
            pos = e.End;
        }
        // After the walk: a SeekHead keeps only entries pointing at what is still there.
        foreach (var s in seekHeads) RewriteMaster(f, reader, s, SanitizeSeekHead);

        if (!info) throw Bad("no Info element");
        if (!video && !audio) throw Bad("no audio or video track");
        if (blocks == 0) throw Bad("no media blocks");
        if (!segment.UnknownSize && segmentEnd < length) f.SetLength(segmentEnd);
        f.Flush();
        return video ? MediaSniffer.WebmVideo : MediaSniffer.WebmAudio;
    }

    private static void CheckEbmlHeader(byte[] h)
    {
        string? docType = null;
        foreach (var c in Children(h, 0, h.Length))
        {
            var data = h.AsSpan((int)c.DataStart, (int)c.Size);
            switch (c.Id)
            {
                case 0x4282: docType = Encoding.ASCII.GetString(data).TrimEnd('\0'); break;
                case 0x42F7 when Uint(data) > 1: throw Bad("an EBML read version this reader does not know");
                case 0x42F2 when Uint(data) > 4: throw Bad("element ids longer than 4 bytes");
                case 0x42F3 when Uint(data) > 8: throw Bad("element sizes longer than 8 bytes");
            }
        }
        if (docType != "webm") throw Bad("the EBML DocType is not webm");
    }

    /// <summary>Walks a Cluster's children (headers only) to its end: its size, or for an unknown size the next top-level element.</summary>
    private static long ClusterEnd(Reader reader, Element cluster, long segmentEnd, ref long blocks)
    {
        var limit = cluster.UnknownSize ? segmentEnd : cluster.End;
        var p = cluster.DataStart;
        while (p < limit)
        {
            var c = reader.Read(p, limit);
            if (cluster.UnknownSize && (TopLevel.Contains(c.Id) || c.Id == EbmlId)) return p;
            if (c.UnknownSize || c.End > limit) throw Bad("a cluster's element runs past its end (truncated?)");
            if (c.Id is 0xA3 or 0xA0) blocks++; // SimpleBlock, BlockGroup
            p = c.End;
        }
        return limit;
    }

    /// <summary>Loads a (small) master element, lets <paramref name="edit"/> change it in place, and writes it back.</summary>
    private static void RewriteMaster(FileStream f, Reader reader, Element e, Action<byte[], int, int> edit)
    {
        if (e.Size > MaxHeaderElementBytes) throw Bad("a header element is implausibly large");
        var bytes = reader.Bytes(e);
        edit(bytes, 0, bytes.Length);
        f.Position = e.DataStart;
        f.Write(bytes);
    }

    private static void SanitizeInfo(byte[] b, int start, int end)
    {
        foreach (var c in Children(b, start, end))
        {
            switch (c.Id)
            {
                case 0x2AD7B1 or 0x4489 or VoidId: break; // TimestampScale, Duration
                case 0x4D80 or 0x5741: Array.Clear(b, (int)c.DataStart, (int)c.Size); break; // MuxingApp, WritingApp: mandatory, emptied
                default: VoidInBuffer(b, c); break; // Title, DateUTC, SegmentUUID, file names, CRC-32, …
            }
        }
    }

    private static void SanitizeTracks(byte[] b, int start, int end, ref bool video, ref bool audio)
    {
        foreach (var entry in Children(b, start, end))
        {
            if (entry.Id == Crc32Id) { VoidInBuffer(b, entry); continue; }
            if (entry.Id != 0xAE) continue;
            ulong number = 0, type = 0;
            var codec = false;
            foreach (var c in Children(b, (int)entry.DataStart, (int)entry.End))
            {
                var data = b.AsSpan((int)c.DataStart, (int)c.Size);
                switch (c.Id)
                {
                    case 0xD7: number = Uint(data); break;
                    case 0x83: type = Uint(data); break;
                    case 0x86: codec = c.Size > 0; break;
                    case 0x536E or Crc32Id: VoidInBuffer(b, c); break; // Name
                }
            }
            if (number == 0 || type == 0 || !codec) throw Bad("a track lacks its number, type or codec");
            video |= type == 1;
            audio |= type == 2;
        }
    }

    private static void SanitizeSeekHead(byte[] b, int start, int end)
    {
        foreach (var seek in Children(b, start, end))
        {
            if (seek.Id != 0x4DBB) { if (seek.Id != VoidId) VoidInBuffer(b, seek); continue; }
            uint target = 0;
            foreach (var c in Children(b, (int)seek.DataStart, (int)seek.End))
                if (c.Id == 0x53AB && c.Size is > 0 and <= 4) target = (uint)Uint(b.AsSpan((int)c.DataStart, (int)c.Size));
            if (target is not (SeekHeadId or InfoId or TracksId or ClusterId or CuesId)) VoidInBuffer(b, seek);
        }
    }

    private static List<Element> Children(byte[] b, int start, int end)
    {
        var list = new List<Element>();
        var p = start;
        while (p < end)
        {
            var e = Parse(b.AsSpan(p, Math.Min(12, end - p)), p);
            if (e.UnknownSize || e.End > end) throw Bad("an element runs past its parent");
            list.Add(e);
            p = (int)e.End;
        }
        return list;
    }

    private static Element Parse(ReadOnlySpan<byte> h, long at)
    {
        if (h.Length < 2 || h[0] == 0) throw Bad("an invalid element id");
        var idLength = System.Numerics.BitOperations.LeadingZeroCount((uint)h[0]) - 23;
        if (idLength > 4 || h.Length < idLength + 1) throw Bad("an invalid element id");
        uint id = 0;
        for (var i = 0; i < idLength; i++) id = id << 8 | h[i];
        var first = h[idLength];
        if (first == 0) throw Bad("an invalid element size");
        var sizeLength = System.Numerics.BitOperations.LeadingZeroCount((uint)first) - 23;
        if (h.Length < idLength + sizeLength) throw Bad("an element header is cut off");
        var value = (ulong)(first & (0xFF >> sizeLength));
        var allOnes = value == (ulong)(0xFF >> sizeLength);
        for (var i = 1; i < sizeLength; i++)
        {
            var v = h[idLength + i];
            value = value << 8 | v;
            allOnes &= v == 0xFF;
        }
        if (value > long.MaxValue / 2) throw Bad("an element size is implausibly large");
        return new Element(at, id, idLength, sizeLength, allOnes ? -1 : (long)value);
    }

    private static ulong Uint(ReadOnlySpan<byte> data)
    {
        if (data.Length > 8) throw Bad("an integer element longer than 8 bytes");
        ulong v = 0;
        foreach (var x in data) v = v << 8 | x;
        return v;
    }

    /// <summary>The element becomes a Void of the same total length: a 1-byte id, a size field taking up what the old
    /// id and size field left (at most 8 bytes), and a zeroed payload.</summary>
    private static byte[] VoidHeader(Element e, out long payload)
    {
        var sizeLength = Math.Min(8, e.IdLength + e.SizeLength - 1);
        payload = e.IdLength + e.SizeLength + e.Size - 1 - sizeLength;
        var header = new byte[1 + sizeLength];
        header[0] = (byte)VoidId;
        var v = (ulong)payload;
        for (var i = sizeLength; i >= 1; i--, v >>= 8) header[i] = (byte)v;
        header[1] |= (byte)(0x80 >> (sizeLength - 1));
        return header;
    }

    private static void VoidInBuffer(byte[] b, Element e)
    {
        var header = VoidHeader(e, out var payload);
        header.CopyTo(b, (int)e.Start);
        Array.Clear(b, (int)e.Start + header.Length, (int)payload);
    }

    private static void VoidInFile(FileStream f, Element e)
    {
        var header = VoidHeader(e, out var payload);
        f.Position = e.Start;
        f.Write(header);
        IsoBmff.ZeroFile(f, e.Start + header.Length, payload);
    }

    /// <summary>Element headers from the file; master elements it loads are addressed from their data start.</summary>
    private sealed class Reader(FileStream f)
    {
        private readonly byte[] _header = new byte[12];

        public Element Read(long at, long limit)
        {
            var n = (int)Math.Min(_header.Length, limit - at);
            if (n < 2) throw Bad("an element header is cut off (truncated?)");
            f.Position = at;
            f.ReadExactly(_header, 0, n);
            return Parse(_header.AsSpan(0, n), at);
        }

        /// <summary>The element's data, with child offsets relative to the data start.</summary>
        public byte[] Bytes(Element e)
        {
            var b = new byte[e.Size];
            f.Position = e.DataStart;
            f.ReadExactly(b);
            return b;
        }
    }
}
