using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Halo.Api.Features.Live;
using Halo.Api.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Halo.Api.Tests.Features.Alerts;

/// <summary>Sums the "Halo.Live" measurements of one app (its own meter factory), by instrument and tags.</summary>
public sealed class MetricsRecorder : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<string, long> _sums = new();

    public MetricsRecorder(HaloApiFactory factory)
    {
        var scope = factory.Services.GetRequiredService<IMeterFactory>();
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == LiveMetrics.MeterName && ReferenceEquals(instrument.Meter.Scope, scope)) listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            var key = instrument.Name + string.Concat(tags.ToArray().OrderBy(t => t.Key).Select(t => $";{t.Key}={t.Value}"));
            _sums.AddOrUpdate(key, value, (_, old) => old + value);
        });
        _listener.Start();
    }

    /// <summary>e.g. <c>Sum("halo.alerts.suppressed;reason=cooldown;type=risk")</c>.</summary>
    public long Sum(string key) => _sums.GetValueOrDefault(key);

    public void Dispose() => _listener.Dispose();
}
