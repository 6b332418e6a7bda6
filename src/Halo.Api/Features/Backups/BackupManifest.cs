using System.Text.Json;
using System.Text.Json.Serialization;

namespace Halo.Api.Features.Backups;

/// <summary>
/// <c>manifest.json</c>, the last entry of a backup archive: what the archive must hold (every file with its size and
/// SHA-256) and what the database held when it was taken (rows and a checksum per table, the last migration), so a
/// restore can prove it got the same data back before it replaces anything.
/// </summary>
public sealed record BackupManifest
{
    public const int CurrentFormat = 1;
    public const string EntryName = "manifest.json";

    public int Format { get; init; } = CurrentFormat;
    public required DateTime CreatedAt { get; init; }
    public required string AppVersion { get; init; }
    /// <summary><c>sqlite</c> or <c>postgres</c>: an archive restores into the provider it came from.</summary>
    public required string Provider { get; init; }
    /// <summary>The last EF Core migration applied to the backed-up database (its schema version).</summary>
    public required string? Migration { get; init; }
    public required ArchivedFile Database { get; init; }
    public required SortedDictionary<string, TableSummary> Tables { get; init; }
    public required List<ArchivedFile> Media { get; init; }

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    public byte[] ToJson() => JsonSerializer.SerializeToUtf8Bytes(this, Json);

    public static BackupManifest Parse(ReadOnlySpan<byte> json)
    {
        try
        {
            return JsonSerializer.Deserialize<BackupManifest>(json, Json) ?? throw new BackupException("The archive's manifest.json is empty.");
        }
        catch (JsonException ex)
        {
            throw new BackupException($"The archive's manifest.json cannot be read: {ex.Message}");
        }
    }
}

/// <summary>A file in the archive: its entry name, size and SHA-256 (hex).</summary>
public sealed record ArchivedFile(string Path, long Bytes, string Sha256);

/// <summary>A table's row count and an order-independent checksum of its rows (<see cref="RowSetHash"/>).</summary>
public sealed record TableSummary(long Rows, string Sha256);

/// <summary>A backup or restore that cannot go on; the message says why and what to do. Exit code 1.</summary>
public sealed class BackupException(string message, Exception? inner = null) : Exception(message, inner);
