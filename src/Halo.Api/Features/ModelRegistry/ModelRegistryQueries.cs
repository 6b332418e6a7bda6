using Halo.Api.Data;
using Microsoft.EntityFrameworkCore;

namespace Halo.Api.Features.ModelRegistry;

public static class ModelRegistryQueries
{
    /// <summary>The newest model of a kind that finished training, artifact included; null when there is none.</summary>
    public static Task<ModelVersion?> LatestReadyAsync(this HaloDbContext db, string kind, CancellationToken ct = default) =>
        db.Set<ModelVersion>().AsNoTracking()
            .Where(m => m.Kind == kind && m.Status == ModelStatus.Ready && m.Artifact != null)
            .OrderByDescending(m => m.TrainedAt).ThenByDescending(m => m.Id)
            .FirstOrDefaultAsync(ct);
}
