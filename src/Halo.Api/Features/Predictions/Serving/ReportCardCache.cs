namespace Halo.Api.Features.Predictions.Serving;

/// <summary>
/// The report card of the serving risk model, kept in memory once read. A model version's card never changes (its
/// registry row is written once, when training finishes), so it is read from the store once per version, and it keeps
/// being served, like the hotspots, while the store is unavailable (docs/chaos.md).
/// </summary>
public sealed class ReportCardCache
{
    private sealed record Entry(string Version, ReportCardResponse Card);

    private Entry? _last;

    /// <summary>The card of <paramref name="version"/> if it was read before.</summary>
    public ReportCardResponse? Get(string version) => Volatile.Read(ref _last) is { } last && last.Version == version ? last.Card : null;

    public void Set(string version, ReportCardResponse card) => Volatile.Write(ref _last, new Entry(version, card));
}
