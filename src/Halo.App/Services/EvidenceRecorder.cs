using Halo.Api.Features.Reports;
using Microsoft.AspNetCore.Components;
using Microsoft.JSInterop;

namespace Halo.App.Services;

/// <summary>What the browser can capture: camera and microphone (MediaRecorder), motion, position.</summary>
public sealed record EvidenceSupport(bool Media, bool Motion, bool MotionPermission, bool Geolocation);

/// <summary>Why a capture did not start: "denied", "notfound", "unsupported", "busy" or "failed"; null when it did.</summary>
public sealed record EvidenceStart(bool Ok, string? Error);

/// <summary>
/// A finished capture as halo-evidence.js summarises it: levels only (no motion or audio samples), and the GPS points
/// (the API reduces the track to its summary and does not store them).
/// </summary>
public sealed record EvidenceReading(
    int DurationMs, string MimeType, long SizeBytes,
    string MotionState, int MotionSamples, double? PeakG, double? Jerk,
    double? AudioPeakDbfs, double? AudioMeanDbfs,
    string GeoState, IReadOnlyList<GpsPointInput> Track);

/// <summary>
/// The summary shown on the device and sent as the report's <c>sensors</c>. The impact flag uses the same threshold as
/// the classifier's severity rule (<see cref="Halo.Api.Features.Classification.SensorSummary.HardImpactG"/>).
/// </summary>
public sealed record EvidenceSummary(
    double DurationS, double? PeakG, double? Jerk, bool? ImpactDetected,
    double? AudioPeakDbfs, double? AudioMeanDbfs, int TrackPoints, double? TrackLengthM)
{
    public static EvidenceSummary From(EvidenceReading r)
    {
        double? peakG = r.PeakG is { } g ? Math.Round(Math.Min(g, 100), 2) : null;
        double? jerk = r.Jerk is { } j ? Math.Round(Math.Min(j, 100_000), 2) : null;
        double? length = null;
        if (r.Track.Count >= 2)
        {
            length = 0;
            for (var n = 1; n < r.Track.Count; n++)
                length += GeoMath.DistanceM(r.Track[n - 1].Latitude ?? 0, r.Track[n - 1].Longitude ?? 0, r.Track[n].Latitude ?? 0, r.Track[n].Longitude ?? 0);
            length = Math.Round(length.Value, 1);
        }
        else if (r.Track.Count == 1) length = 0;
        return new EvidenceSummary(Math.Round(r.DurationMs / 1000.0, 1), peakG, jerk,
            peakG is { } p ? p >= Halo.Api.Features.Classification.SensorSummary.HardImpactG : null,
            Db(r.AudioPeakDbfs), Db(r.AudioMeanDbfs), r.Track.Count, length);
    }

    private static double? Db(double? x) => x is { } d ? Math.Round(Math.Clamp(d, -160, 0), 1) : null;

    /// <summary>The report's <c>sensors</c> in the API's contract; parts the device did not measure are left out.</summary>
    public static SensorsInput ToSensors(EvidenceSummary s, IReadOnlyList<GpsPointInput> track) => new(
        s.PeakG is null ? null : new AccelerometerInput(s.PeakG, s.Jerk, s.ImpactDetected),
        s.AudioPeakDbfs is null ? null : new AudioInput(s.AudioPeakDbfs, Math.Min(s.AudioMeanDbfs ?? s.AudioPeakDbfs.Value, s.AudioPeakDbfs.Value)),
        track.Count == 0 ? null : [.. track]);
}

/// <summary>A kept capture: its summary, the GPS points, and the clip (bytes read from the browser at submit).</summary>
public sealed record CapturedEvidence(EvidenceSummary Summary, IReadOnlyList<GpsPointInput> Track, string MimeType, long SizeBytes)
{
    public SensorsInput Sensors => EvidenceSummary.ToSensors(Summary, Track);

    /// <summary>The clip's file name for the upload (the server decides the type from the bytes).</summary>
    public string FileName => MimeType.Contains("mp4", StringComparison.OrdinalIgnoreCase) ? "evidence.mp4" : "evidence.webm";
}

/// <summary>Great-circle distance, as the API computes the track's length.</summary>
public static class GeoMath
{
    public static double DistanceM(double lat1, double lon1, double lat2, double lon2)
    {
        static double Rad(double d) => d * Math.PI / 180;
        var dLat = Rad(lat2 - lat1);
        var dLon = Rad(lon2 - lon1);
        var a = Math.Sin(dLat / 2) * Math.Sin(dLat / 2) + Math.Cos(Rad(lat1)) * Math.Cos(Rad(lat2)) * Math.Sin(dLon / 2) * Math.Sin(dLon / 2);
        return 2 * 6_371_008.8 * Math.Asin(Math.Min(1, Math.Sqrt(a)));
    }
}

/// <summary>
/// The evidence capture in the browser (halo-evidence.js). Callbacks go to the <c>OnEvidenceTick(int ms)</c> and
/// <c>OnEvidenceTimeUp()</c> methods of the component that started it. Virtual, so component tests can stand in for it.
/// </summary>
public class EvidenceRecorder(IJSRuntime js) : IAsyncDisposable
{
    private Task<IJSObjectReference>? _module;

    private Task<IJSObjectReference> Module() =>
        _module ??= js.InvokeAsync<IJSObjectReference>("import", "./_content/Halo.App/halo-evidence.js").AsTask();

    public virtual async Task<EvidenceSupport> SupportAsync() => await (await Module()).InvokeAsync<EvidenceSupport>("support");

    /// <summary>Starts camera, microphone, motion and position; called from the user's tap (iOS asks for motion access only then).</summary>
    public virtual async Task<EvidenceStart> StartAsync<T>(DotNetObjectReference<T> target, int maxMs, ElementReference preview) where T : class =>
        await (await Module()).InvokeAsync<EvidenceStart>("start", target, maxMs, preview);

    /// <summary>Stops; <paramref name="keep"/> false throws the clip away. Null when nothing was being captured.</summary>
    public virtual async Task<EvidenceReading?> StopAsync(bool keep) => await (await Module()).InvokeAsync<EvidenceReading?>("stop", keep);

    /// <summary>The last kept clip's bytes.</summary>
    public virtual async Task<byte[]?> ClipAsync() => await (await Module()).InvokeAsync<byte[]?>("clip");

    public virtual async Task DiscardAsync() => await (await Module()).InvokeVoidAsync("discard");

    public async ValueTask DisposeAsync()
    {
        if (_module is { IsCompletedSuccessfully: true })
        {
            try { await _module.Result.DisposeAsync(); }
            catch (JSDisconnectedException) { /* page is gone */ }
        }
        GC.SuppressFinalize(this);
    }
}
