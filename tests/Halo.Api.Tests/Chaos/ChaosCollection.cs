using Halo.Api.Tests.Infrastructure;

namespace Halo.Api.Tests.Chaos;

/// <summary>
/// The fault tests start processes and servers of their own and measure how long answers take, so they run alone, after
/// the parallel part of the suite: they neither slow the other tests nor are slowed by them into false failures.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ChaosCollection
{
    public const string Name = "Chaos: faults, run alone";
}

public static class ChaosLogging
{
    /// <summary>
    /// Faults make the store's every failure a log line (EF's errors with stack traces, failed health checks, each 503's
    /// warning): by the hundred under load. The tests' own assertions say what went wrong; keep the output readable.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> QuietStoreFailures = new Dictionary<string, string>
    {
        ["Logging:LogLevel:Microsoft.EntityFrameworkCore"] = "Critical",
        ["Logging:LogLevel:Microsoft.Extensions.Diagnostics.HealthChecks"] = "Critical",
        ["Logging:LogLevel:Halo.Api.Infrastructure.StoreUnavailableHandler"] = "Error",
        ["Logging:LogLevel:Halo.Api.Features.Predictions"] = "Critical",
        ["Logging:LogLevel:Halo.Api.Features.Live"] = "Error",
    };

    public static HaloApiFactory Quiet(this HaloApiFactory factory)
    {
        foreach (var (k, v) in QuietStoreFailures) factory.With(k, v);
        return factory;
    }
}

public static class Eventually
{
    /// <summary>Waits until <paramref name="condition"/> holds; fails naming <paramref name="what"/> after <paramref name="within"/>.</summary>
    public static async Task Until(Func<bool> condition, TimeSpan within, string what)
    {
        var deadline = DateTime.UtcNow + within;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Timed out waiting for {what}.");
            await Task.Delay(50);
        }
    }
}
