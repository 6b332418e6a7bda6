namespace Halo.Api.Features.Classification;

/// <summary>One training example: input text, its Halo category, when it was published, and where it came from.</summary>
public sealed record LabelledExample(string Text, string Category, DateTime At, string Source);

/// <summary>
/// A source of labelled examples for the classifier. The trainer takes every registered source, so citizen
/// feedback (reports whose category was confirmed by the user or a moderator) is added by registering one more
/// implementation; see docs/classification.md.
/// </summary>
public interface IClassifierExampleSource
{
    string Name { get; }

    /// <summary>When the newest example was published (UTC), or null when there is none.</summary>
    Task<DateTime?> NewestAsync(CancellationToken ct);

    /// <summary>Examples published in [from, to), UTC.</summary>
    Task<IReadOnlyList<LabelledExample>> GetExamplesAsync(DateTime from, DateTime to, CancellationToken ct);
}
