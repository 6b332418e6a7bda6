using System.Buffers.Binary;

namespace Halo.Api.Features.Media.Containers;

/// <summary>
/// Ogg with Opus or Vorbis streams: the pages must tile the file, each with the capture pattern <c>OggS</c>, version 0
/// and a correct CRC; every stream starts with a BOS page and an Opus or Vorbis identification header, and carries
/// audio packets after its headers. The comment header (title, artist, location, dates, encoder, cover art) is rewritten
/// in place to one with an empty vendor and no comments, followed by zero bytes to its old length — both codecs' specs
/// let decoders ignore what follows the comment list — so the page layout stays as it was; the CRCs of the pages it
/// spans are recomputed.
/// </summary>
internal static class Ogg
{
    private const int MaxCommentBytes = 16 << 20;

    private static MediaRejectedException Bad(string why) => new($"The file is not a valid Ogg Opus/Vorbis file: {why}.");

    private sealed class Stream
    {
        public string? Codec;
        public int Packets;
        public bool Ended;
        /// <summary>Where the comment packet's bytes sit in the file, in order, and the pages they are on.</summary>
        public readonly List<(long Start, int Length)> CommentSegments = [];
        public readonly HashSet<long> CommentPages = [];
        public List<byte>? Packet = [];
    }

    public static void Sanitize(FileStream f)
    {
        var length = f.Length;
        var streams = new Dictionary<uint, Stream>();
        var header = new byte[27 + 255];
        var body = new byte[255 * 255];
        long pos = 0;
        var pages = 0;
        while (pos < length)
        {
            if (length - pos < 27) throw Bad("a page header is cut off (truncated?)");
            f.Position = pos;
            f.ReadExactly(header, 0, 27);
            if (!header.AsSpan(0, 4).SequenceEqual("OggS"u8) || header[4] != 0) throw Bad("a page without the OggS capture pattern or of an unknown version");
            var flags = header[5];
            if ((flags & ~7) != 0) throw Bad("unknown page flags");
            var serial = BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(14));
            int segments = header[26];
            if (length - pos < 27 + segments) throw Bad("a page header is cut off (truncated?)");
            f.ReadExactly(header, 27, segments);
            var bodyLength = 0;
            for (var i = 0; i < segments; i++) bodyLength += header[27 + i];
            var headerLength = 27 + segments;
            if (length - pos - headerLength < bodyLength) throw Bad("a page runs past the end of the file (truncated?)");
            f.ReadExactly(body, 0, bodyLength);
            if (PageCrc(header.AsSpan(0, headerLength), body.AsSpan(0, bodyLength)) != BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(22)))
                throw Bad("a page's CRC does not match");

            var bos = (flags & 2) != 0;
            if (!streams.TryGetValue(serial, out var s))
            {
                if (!bos) throw Bad("a stream does not begin with a BOS page");
                streams[serial] = s = new Stream();
            }
            else if (bos || s.Ended) throw Bad("a page after its stream's end or a second BOS page");
            if ((flags & 1) == 0 && s.Packet is { Count: > 0 }) throw Bad("a packet left unfinished");
            if ((flags & 1) != 0 && s.Packet is { Count: 0 } && s.Packets == 0) throw Bad("a continued first packet");

            // Lacing: a packet is the run of segments up to one shorter than 255.
            var offset = 0;
            for (var i = 0; i < segments; i++)
            {
                int lace = header[27 + i];
                if (s.Packets == 1)
                {
                    s.CommentSegments.Add((pos + headerLength + offset, lace));
                    s.CommentPages.Add(pos);
                }
                if (s.Packet is not null)
                {
                    if (s.Packet.Count + lace > MaxCommentBytes) throw Bad("a header packet is implausibly large");
                    s.Packet.AddRange(body.AsSpan(offset, lace));
                }
                offset += lace;
                if (lace < 255) EndPacket(s);
            }
            if ((flags & 4) != 0) s.Ended = true;
            pos += headerLength + bodyLength;
            pages++;
        }
        if (streams.Count == 0) throw Bad("no pages");
        foreach (var s in streams.Values)
        {
            var headers = s.Codec == "vorbis" ? 3 : 2;
            if (s.Packets <= headers) throw Bad("a stream has no audio after its headers");
        }
        foreach (var s in streams.Values) RewriteComment(f, s);
        f.Flush();
    }

    private static void EndPacket(Stream s)
    {
        var packet = s.Packet;
        if (s.Packets == 0)
        {
            var p = packet!.ToArray().AsSpan();
            s.Codec = p.StartsWith("OpusHead"u8) && p.Length >= 19 ? "opus"
                : p.StartsWith("\x01vorbis"u8) && p.Length >= 30 ? "vorbis"
                : throw Bad("a stream that is neither Opus nor Vorbis");
        }
        else if (s.Packets == 1)
        {
            var magic = s.Codec == "opus" ? "OpusTags"u8 : "\x03vorbis"u8;
            if (packet!.Count < magic.Length + 8 + (s.Codec == "vorbis" ? 1 : 0) || !packet.ToArray().AsSpan().StartsWith(magic))
                throw Bad("the comment header is missing or invalid");
        }
        s.Packets++;
        // Only the two header packets are kept in memory.
        s.Packet = s.Packets < 2 ? [] : null;
    }

    /// <summary>Same-length comment header: magic, empty vendor, zero comments (Vorbis: framing bit), then zeros.</summary>
    private static void RewriteComment(FileStream f, Stream s)
    {
        var total = s.CommentSegments.Sum(x => x.Length);
        var packet = new byte[total];
        var magic = s.Codec == "opus" ? "OpusTags"u8 : "\x03vorbis"u8;
        magic.CopyTo(packet);
        // Vendor length 0 and comment count 0 are already zero.
        if (s.Codec == "vorbis") packet[magic.Length + 8] = 1;
        var at = 0;
        foreach (var (start, len) in s.CommentSegments)
        {
            f.Position = start;
            f.Write(packet, at, len);
            at += len;
        }
        foreach (var page in s.CommentPages) RecomputeCrc(f, page);
    }

    private static void RecomputeCrc(FileStream f, long page)
    {
        var header = new byte[27 + 255];
        f.Position = page;
        f.ReadExactly(header, 0, 27);
        int segments = header[26];
        f.ReadExactly(header, 27, segments);
        var bodyLength = 0;
        for (var i = 0; i < segments; i++) bodyLength += header[27 + i];
        var body = new byte[bodyLength];
        f.ReadExactly(body);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(22), PageCrc(header.AsSpan(0, 27 + segments), body));
        f.Position = page + 22;
        f.Write(header, 22, 4);
    }

    /// <summary>Ogg's CRC-32: polynomial 0x04C11DB7, not reflected, initial value and final xor 0, over the page with
    /// its CRC field taken as zero.</summary>
    internal static uint PageCrc(ReadOnlySpan<byte> header, ReadOnlySpan<byte> body)
    {
        uint crc = 0;
        for (var i = 0; i < header.Length; i++) crc = crc << 8 ^ Table[(crc >> 24) ^ (i is >= 22 and < 26 ? 0 : header[i])];
        foreach (var b in body) crc = crc << 8 ^ Table[(crc >> 24) ^ b];
        return crc;
    }

    private static readonly uint[] Table = BuildTable();

    private static uint[] BuildTable()
    {
        var t = new uint[256];
        for (uint i = 0; i < 256; i++)
        {
            var r = i << 24;
            for (var k = 0; k < 8; k++) r = (r & 0x80000000) != 0 ? r << 1 ^ 0x04C11DB7 : r << 1;
            t[i] = r;
        }
        return t;
    }
}
