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
