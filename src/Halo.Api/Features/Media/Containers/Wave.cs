using System.Buffers.Binary;

namespace Halo.Api.Features.Media.Containers;

/// <summary>
/// RIFF/WAVE: the chunk list is walked and checked (chunks inside the RIFF size and the file, one valid <c>fmt </c>
/// before one <c>data</c>), and the file is rewritten with only <c>fmt </c>, <c>fact</c> and <c>data</c>; every other
/// chunk (<c>LIST</c>/<c>INFO</c> title, artist, software, date; <c>bext</c> originator and date; <c>iXML</c>, <c>_PMX</c>
/// XMP, <c>id3 </c>, …) is dropped, and so are bytes after the RIFF end. The samples are copied unchanged.
/// </summary>
internal static class Wave
{
    private static MediaRejectedException Bad(string why) => new($"The file is not a valid WAV file: {why}.");

    public static void Sanitize(string path)
    {
        var output = path + ".wav";
        try
        {
            using (var f = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.None))
            using (var o = new FileStream(output, FileMode.CreateNew, FileAccess.Write, FileShare.None))
                Rewrite(f, o);
            File.Move(output, path, overwrite: true);
        }
        finally
        {
            MediaStore.TryDelete(output);
        }
    }

    private static void Rewrite(FileStream f, FileStream o)
    {
        var length = f.Length;
        var h = new byte[12];
        if (length < 12) throw Bad("too short");
        f.ReadExactly(h);
        long riff = BinaryPrimitives.ReadUInt32LittleEndian(h.AsSpan(4));
        // A writer may leave off the pad byte of an odd last chunk.
        if (riff + 8 > length + 1 || riff < 4) throw Bad("the RIFF size does not match the file (truncated?)");
        var end = Math.Min(riff + 8, length);

        byte[]? fmt = null, fact = null;
        (long Start, long Length)? data = null;
        long pos = 12;
        while (pos < end)
        {
            if (end - pos < 8) throw Bad("a chunk header is cut off");
            f.Position = pos;
            f.ReadExactly(h, 0, 8);
            foreach (var c in h.AsSpan(0, 4)) if (c is < 0x20 or > 0x7E) throw Bad("a chunk id is not a four-character code");
            long size = BinaryPrimitives.ReadUInt32LittleEndian(h.AsSpan(4));
            if (pos + 8 + size > end) throw Bad("a chunk runs past the end of the file (truncated?)");
            var id = System.Text.Encoding.ASCII.GetString(h, 0, 4);
            switch (id)
            {
                case "fmt ":
                    if (fmt is not null || data is not null || size is < 16 or > 4096) throw Bad("the format chunk is missing, repeated or misplaced");
                    fmt = new byte[size];
                    f.ReadExactly(fmt);
                    CheckFormat(fmt);
                    break;
                case "fact" when size is >= 4 and <= 64:
                    fact = new byte[size];
                    f.ReadExactly(fact);
                    break;
                case "data":
                    if (fmt is null || data is not null) throw Bad("the data chunk is repeated or comes before the format chunk");
                    data = (pos + 8, size);
                    break;
            }
            pos += 8 + size + (size & 1);
        }
        if (fmt is null || data is null) throw Bad("no format or data chunk");

        var (dataStart, dataLength) = data.Value;
        var total = 4 + Chunk(fmt.Length) + (fact is null ? 0 : Chunk(fact.Length)) + Chunk(dataLength);
        if (total > uint.MaxValue) throw Bad("too large for RIFF");
        Span<byte> header = stackalloc byte[12];
        "RIFF"u8.CopyTo(header);
        BinaryPrimitives.WriteUInt32LittleEndian(header[4..], (uint)total);
        "WAVE"u8.CopyTo(header[8..]);
        o.Write(header);
        WriteChunk(o, "fmt "u8, fmt);
        if (fact is not null) WriteChunk(o, "fact"u8, fact);
        WriteChunkHeader(o, "data"u8, dataLength);
        f.Position = dataStart;
        var buffer = new byte[81920];
        for (var left = dataLength; left > 0;)
        {
            var n = f.Read(buffer, 0, (int)Math.Min(buffer.Length, left));
            if (n == 0) throw Bad("the data chunk is cut off");
            o.Write(buffer, 0, n);
            left -= n;
        }
        if ((dataLength & 1) == 1) o.WriteByte(0);
    }

    private static void CheckFormat(byte[] fmt)
    {
        var channels = BinaryPrimitives.ReadUInt16LittleEndian(fmt.AsSpan(2));
        var rate = BinaryPrimitives.ReadUInt32LittleEndian(fmt.AsSpan(4));
        var blockAlign = BinaryPrimitives.ReadUInt16LittleEndian(fmt.AsSpan(12));
        if (channels is 0 or > 64 || rate is 0 or > 1_000_000 || blockAlign == 0) throw Bad("the format chunk is invalid");
    }

    private static long Chunk(long size) => 8 + size + (size & 1);

    private static void WriteChunk(FileStream o, ReadOnlySpan<byte> id, byte[] payload)
    {
        WriteChunkHeader(o, id, payload.Length);
        o.Write(payload);
        if ((payload.Length & 1) == 1) o.WriteByte(0);
    }

    private static void WriteChunkHeader(FileStream o, ReadOnlySpan<byte> id, long size)
    {
        Span<byte> h = stackalloc byte[8];
        id.CopyTo(h);
        BinaryPrimitives.WriteUInt32LittleEndian(h[4..], (uint)size);
        o.Write(h);
    }
}
