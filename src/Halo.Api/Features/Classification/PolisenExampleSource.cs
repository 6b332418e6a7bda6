using Halo.Api.Data;
using Halo.Api.Features.Incidents;
using Halo.Api.Features.Taxonomy;
using Microsoft.EntityFrameworkCore;

namespace Halo.Api.Features.Classification;

/// <summary>Police events from the store, labelled through the taxonomy; summaries and notices are skipped.</summary>
public sealed class PolisenExampleSource(HaloDbContext db) : IClassifierExampleSource
{
    public string Name => IncidentSources.Polisen;

    public async Task<DateTime?> NewestAsync(CancellationToken ct) =>
        await db.Incidents.Where(i => i.Source == IncidentSources.Polisen && i.IsIncident)
            .MaxAsync(i => (DateTime?)(i.PublishedAt ?? i.OccurredAt), ct);

    public async Task<IReadOnlyList<LabelledExample>> GetExamplesAsync(DateTime from, DateTime to, CancellationToken ct)
    {
        var rows = await db.Incidents.AsNoTracking()
            .Where(i => i.Source == IncidentSources.Polisen && i.IsIncident
                && (i.PublishedAt ?? i.OccurredAt) >= from && (i.PublishedAt ?? i.OccurredAt) < to)
            .Select(i => new { i.Title, i.Summary, i.RawType, At = i.PublishedAt ?? i.OccurredAt })
            .ToListAsync(ct);
        var examples = new List<LabelledExample>(rows.Count);
        foreach (var r in rows)
        {
            // Relabel from the raw type rather than trusting the stored category, so a taxonomy change applies at the next retrain.
            var map = HaloTaxonomy.MapPolisenType(r.RawType);
            // A type the mapping does not know has no trustworthy label: the classifier may have chosen it itself.
            if (!map.IsIncident || map.IsUnknownType) continue;
            var text = ClassificationText.ForPoliceEvent(r.Title, r.Summary, r.RawType);
            if (string.IsNullOrWhiteSpace(text)) continue;
            examples.Add(new LabelledExample(text, map.Category, r.At, Name));
        }
        return examples;
    }
}
