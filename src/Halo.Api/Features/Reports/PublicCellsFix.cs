using Halo.Api.Data;
using Halo.Api.Features.Geo;
using Halo.Api.Features.Incidents;
using Microsoft.EntityFrameworkCore;

namespace Halo.Api.Features.Reports;

/// <summary>
/// Brings rows stored before the public position rule under it: every citizen cluster is published as its cell (and its
/// witnesses counted by device and account; older reports kept no network), and citizen incidents that the former open
/// <c>POST /api/v1/incidents</c> stored at an exact point, with no cluster behind them, become a single-witness cell.
/// </summary>
public sealed class PublicCellsFix(PublicPosition publicPosition, TimeProvider clock) : IDataFix
{
    public string Id => "2026-12-02-public-cells";

    public async Task<int> ApplyAsync(HaloDbContext db, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var changed = 0;
        var clusterIds = await db.Set<ReportCluster>().Select(c => c.IncidentId).ToListAsync(ct);
        foreach (var batch in clusterIds.Chunk(200))
        {
            var clusters = await db.Set<ReportCluster>().Where(c => batch.Contains(c.IncidentId)).ToListAsync(ct);
            var incidents = await db.Incidents.Where(i => batch.Contains(i.Id)).ToDictionaryAsync(i => i.Id, ct);
            var reports = (await db.Set<CitizenReport>().Where(r => batch.Contains(r.IncidentId)).ToListAsync(ct)).ToLookup(r => r.IncidentId);
            foreach (var c in clusters)
            {
                var own = reports[c.IncidentId].ToList();
                if (own.Count == 0 || !incidents.TryGetValue(c.IncidentId, out var incident)) continue;
                PublicPosition.RecountWitnesses(c, own);
                var cells = own.Where(r => r.CountsAsWitness).Select(r => r.H3Res9).ToList();
                ClusterState.Apply(c, incident, publicPosition.Choose(c.IncidentId, cells), now);
                changed++;
            }
            await db.SaveChangesAsync(ct);
            db.ChangeTracker.Clear();
        }

        var loose = await db.Incidents.Where(i => i.Source == IncidentSources.Citizen && !db.Set<ReportCluster>().Any(c => c.IncidentId == i.Id))
            .ToListAsync(ct);
        foreach (var i in loose)
        {
            var cell = publicPosition.ForSinglePoint(i.Latitude, i.Longitude);
            i.Latitude = cell.Latitude;
            i.Longitude = cell.Longitude;
            i.LocationPrecisionM = cell.PrecisionM;
            i.H3Res9 = GeoCells.Cell(cell.Latitude, cell.Longitude, GeoCells.FineResolution);
            i.H3Res7 = GeoCells.Cell(cell.Latitude, cell.Longitude, GeoCells.CoarseResolution);
            i.UpdatedAt = now;
            changed++;
        }
        await db.SaveChangesAsync(ct);
        return changed;
    }
}
