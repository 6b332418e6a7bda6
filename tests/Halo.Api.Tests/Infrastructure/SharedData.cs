namespace Halo.Api.Tests.Infrastructure;

/// <summary>Finds ../shared/data (beside the repo on development and CI machines).</summary>
public static class SharedData
{
    public static string Root { get; } = Find();

    public static string PathOf(params string[] parts) => Path.Combine([Root, .. parts]);

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "data");
            if (Directory.Exists(candidate)) return candidate;
        }
        throw new DirectoryNotFoundException("shared/data was not found above " + AppContext.BaseDirectory);
    }
}
