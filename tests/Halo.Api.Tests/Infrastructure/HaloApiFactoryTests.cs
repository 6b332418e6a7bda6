using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Halo.Api.Infrastructure.Observability;
using Halo.Api.Tests.Features.Media;

namespace Halo.Api.Tests.Infrastructure;

/// <summary>The test host itself: a test's app must not outlive its factory, or later tests meet it.</summary>
[Collection(MeasuredCollection.Name)] // Meter listeners see every host in the process: no other test may start one meanwhile.
public sealed class HaloApiFactoryTests
{
    [Theory]
    [InlineData(DbProvider.Sqlite)]
    [InlineData(DbProvider.Postgres)]
    public void AnAppWhoseStartFailsIsDisposedWithItsFactory(DbProvider provider)
    {
        var published = new ConcurrentDictionary<Instrument, bool>();
        var live = new ConcurrentDictionary<Instrument, bool>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name != HaloMetrics.MeterName) return;
                published[instrument] = live[instrument] = true;
                l.EnableMeasurementEvents(instrument);
            },
            MeasurementsCompleted = (instrument, _) => live.TryRemove(instrument, out bool _),
        };
        listener.Start();
        var before = published.Keys.ToHashSet();

        using (var failing = new HaloApiFactory(provider).With("Metrics:AllowedAddresses:0", "10.0.0.1/8"))
        {
            Assert.ThrowsAny<Exception>(() => failing.CreateClient());
            // The app got as far as building its services before its options were refused.
            Assert.NotEmpty(published.Keys.Except(before));
        }

        // Disposed: its meter went with its container.
        Assert.Empty(live.Keys.Except(before).Select(i => i.Name));
    }
}
