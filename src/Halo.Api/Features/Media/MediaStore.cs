using Halo.Api.Data;
using Microsoft.Extensions.Options;

namespace Halo.Api.Features.Media;

/// <summary>Files under <c>{DataDirectory}/media/</c>, named by the server only.</summary>
public sealed class MediaStore
{
    public MediaStore(IOptions<DatabaseOptions> database)
    {
        Root = Path.GetFullPath(Path.Combine(database.Value.DataDirectory, "media"));
        Directory.CreateDirectory(Root);
    }

    public string Root { get; }

    public string PathOf(string storedName)
    {
        // Stored names are generated here (guid + extension); refuse anything else rather than trusting a row.
        if (storedName.Contains('/') || storedName.Contains('\\') || storedName.Contains("..", StringComparison.Ordinal))
            throw new InvalidOperationException("Invalid stored media name.");
        return Path.Combine(Root, storedName);
    }

    public string NewName(string extension) => Guid.NewGuid().ToString("N") + extension;

    /// <summary>A temp file for an upload in flight (deleted on any rejection).</summary>
    public string NewTempPath() => Path.Combine(Root, "." + Guid.NewGuid().ToString("N") + ".part");

    public void Delete(string storedName) => TryDelete(PathOf(storedName));

    public static void TryDelete(string? path)
    {
        if (path is null) return;
        try { File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
