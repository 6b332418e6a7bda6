using Halo.Api.Data;
using Halo.Api.Features.Incidents;
using Halo.Api.Features.Reports;
using Halo.Api.Features.Taxonomy;
using Microsoft.EntityFrameworkCore;

namespace Halo.Api.Features.Classification;

/// <summary>
/// Citizen feedback: each report's description labelled with the category its reporter chose (the app shows the AI's
/// suggestion, stored beside it, and the user confirms or overrides it). Reports in clusters a moderator rejected are
/// left out, and so are anonymised ones (their text is gone).
/// </summary>
public sealed class CitizenExampleSource(HaloDbContext db) : IClassifierExampleSource
{
    public string Name => IncidentSources.Citizen;

    private IQueryable<CitizenReport> Usable() =>
        from r in db.Set<CitizenReport>().AsNoTracking()
        join i in db.Incidents on r.IncidentId equals i.Id
        where r.Description != null && r.AnonymisedAt == null
              && i.Status != IncidentStatus.Rejected && i.Status != IncidentStatus.Deleted
        select r;

    public async Task<DateTime?> NewestAsync(CancellationToken ct) =>
        await Usable().MaxAsync(r => (DateTime?)r.SubmittedAt, ct);

    public async Task<IReadOnlyList<LabelledExample>> GetExamplesAsync(DateTime from, DateTime to, CancellationToken ct)
    {
        var rows = await Usable().Where(r => r.SubmittedAt >= from && r.SubmittedAt < to)
            .Select(r => new { r.Description, r.Category, r.SubmittedAt })
            .ToListAsync(ct);
        return rows.Where(r => HaloTaxonomy.IsKnown(r.Category) && !string.IsNullOrWhiteSpace(r.Description))
            .Select(r => new LabelledExample(r.Description!.Trim(), r.Category, r.SubmittedAt, Name))
            .ToList();
    }
}
