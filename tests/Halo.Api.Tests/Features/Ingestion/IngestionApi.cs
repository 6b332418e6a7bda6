using Halo.Api.Tests.Infrastructure;

namespace Halo.Api.Tests.Features.Ingestion;

/// <summary>The shared <see cref="HaloApiFactory"/> over a temp SQLite file, with ingestion settings on top.</summary>
public static class IngestionApi
{
    /// <param name="realClock">Pollers and geocoders wait on real sockets and Retry-After: most tests need the real clock.</param>
    public static HaloApiFactory Create(IReadOnlyDictionary<string, string?>? settings = null, bool realClock = true)
    {
        var app = new HaloApiFactory(DbProvider.Sqlite) { UseRealClock = realClock };
        foreach (var (k, v) in settings ?? new Dictionary<string, string?>()) app.With(k, v);
        return app;
    }
}
