using System.IO.Compression;
using System.Runtime.CompilerServices;
using System.Text.Json;

namespace Halo.Api.Features.Ingestion.Polisen;

/// <summary>Streams a file in the police API's format (a JSON array of events), gzipped or not.</summary>
public static class PolisenFileReader
{
    public static async IAsyncEnumerable<ParsedRecord> ReadAsync(Stream stream, PolisenEventParser parser,
        [EnumeratorCancellation] CancellationToken ct = default)
    {
        await using var input = await IncidentFiles.OpenMaybeGzipAsync(stream, ct);
        await foreach (var element in JsonSerializer.DeserializeAsyncEnumerable<JsonElement>(input, cancellationToken: ct))
            yield return parser.Parse(element);
    }
}

public static class IncidentFiles
{
    /// <summary>Wraps the stream in a gzip decoder when it starts with the gzip magic bytes (the extension is not trusted).</summary>
    public static async Task<Stream> OpenMaybeGzipAsync(Stream stream, CancellationToken ct)
    {
        if (!stream.CanSeek) throw new NotSupportedException("Input stream must be seekable.");
        var head = new byte[2];
        var n = await stream.ReadAtLeastAsync(head, 2, throwOnEndOfStream: false, ct);
        stream.Seek(-n, SeekOrigin.Current);
        return n == 2 && head[0] == 0x1f && head[1] == 0x8b ? new GZipStream(stream, CompressionMode.Decompress) : stream;
    }
}
