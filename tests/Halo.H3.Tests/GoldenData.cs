using System.IO.Compression;

namespace Halo.H3.Tests;

/// <summary>Reads the gzip'd little-endian golden files written by golden/generate.mjs.</summary>
internal sealed class GoldenReader : IDisposable
{
    private readonly BinaryReader _reader;

    public GoldenReader(string name)
    {
        string path = Path.Combine(AppContext.BaseDirectory, "golden", name);
        // Decompress fully up front: BinaryReader over GZipStream is slow for many small reads.
        using var gz = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
        var ms = new MemoryStream();
        gz.CopyTo(ms);
        ms.Position = 0;
        _reader = new BinaryReader(ms);
    }

    public byte U8() => _reader.ReadByte();
    public int I32() => _reader.ReadInt32();
    public double F64() => _reader.ReadDouble();
    public H3Index Cell() => new(_reader.ReadUInt64());

    public ulong VarUInt()
    {
        ulong result = 0;
        int shift = 0;
        while (true)
        {
            byte b = _reader.ReadByte();
            result |= (ulong)(b & 0x7f) << shift;
            if ((b & 0x80) == 0) return result;
            shift += 7;
        }
    }

    /// <summary>A sorted cell set (count, then LEB128 deltas); null when the count is -1 (reference threw).</summary>
    public H3Index[]? CellSet()
    {
        int n = I32();
        if (n < 0) return null;
        var cells = new H3Index[n];
        ulong prev = 0;
        for (int i = 0; i < n; i++)
        {
            prev += VarUInt();
            cells[i] = new H3Index(prev);
        }
        return cells;
    }

    public void Dispose() => _reader.Dispose();
}

internal static class SharedData
{
    /// <summary>
    /// Finds shared/data by walking up from the test binaries: in a worktree or CI clone the repo
    /// sits beside a copy of shared/, so some ancestor has a shared/data child.
    /// </summary>
    public static string? FindSharedData()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "shared", "data");
            if (Directory.Exists(candidate)) return candidate;
        }
        return null;
    }
}
