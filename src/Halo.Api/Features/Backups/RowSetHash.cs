using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Halo.Api.Features.Backups;

/// <summary>
/// A checksum of a table's rows that does not depend on the order the store returns them in (a restored PostgreSQL
/// table comes back in a different physical order): each row's text is hashed, the row hashes are sorted, and the
/// sorted list is hashed. Each store renders a row as text its own way; the same rows give the same text.
/// </summary>
public sealed class RowSetHash
{
    private readonly List<UInt128> _rows = [];

    public long Rows => _rows.Count;

    public void Add(string row)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(row), hash);
        _rows.Add(BinaryPrimitives.ReadUInt128BigEndian(hash));
    }

    public TableSummary Finish()
    {
        _rows.Sort();
        using var all = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> buffer = stackalloc byte[16];
        foreach (var row in _rows)
        {
            BinaryPrimitives.WriteUInt128BigEndian(buffer, row);
            all.AppendData(buffer);
        }
        return new TableSummary(_rows.Count, Convert.ToHexStringLower(all.GetHashAndReset()));
    }
}
