namespace Halo.Api.Infrastructure;

/// <summary>Settings that moved: the old key still works (when the new one is not set) and start-up says so.</summary>
public static class DeprecatedSettings
{
    public static readonly IReadOnlyList<(string Old, string New)> Moved =
    [
        ("Predictions:RetrainCron", "Training:RetrainCron"),
        ("Predictions:DailyRetrainEnabled", "Training:DailyRetrainEnabled"),
        ("Reports:FutureSkewSeconds", "Incidents:FutureSkewSeconds"),
        ("Reports:MaxDescriptionLength", "Incidents:MaxDescriptionLength"),
    ];

    public static WebApplicationBuilder MapDeprecatedSettings(this WebApplicationBuilder builder)
    {
        var carried = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var (old, now) in Moved)
        {
            if (builder.Configuration[old] is not { } value) continue;
            // Before logging exists; a warning on stderr is what an operator sees at start.
            Console.Error.WriteLine($"warning: the setting {old} is deprecated; use {now} (docs/configuration.md).");
            if (builder.Configuration[now] is null) carried[now] = value;
        }
        if (carried.Count > 0) builder.Configuration.AddInMemoryCollection(carried);
        return builder;
    }
}
