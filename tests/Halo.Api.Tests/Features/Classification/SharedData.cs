namespace Halo.Api.Tests.Features.Classification;

/// <summary>The shared data folder: walks up from the test binaries until a folder holding shared/data is found.</summary>
internal static class SharedData
{
    public static string Directory { get; } = Find();

    private static string Find()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            var candidate = Path.Combine(d.FullName, "shared", "data");
            if (System.IO.Directory.Exists(candidate)) return candidate;
        }
        throw new DirectoryNotFoundException($"No shared/data above {AppContext.BaseDirectory}; the repository must be cloned beside shared/.");
    }
}
