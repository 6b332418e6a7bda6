using Halo.App.Services;
using Microsoft.AspNetCore.Components;
using Microsoft.JSInterop;

namespace Halo.App.Tests;

/// <summary>The browser's capture as a test wants it: what start answers, what stop reads, and every call made.</summary>
internal sealed class FakeEvidenceRecorder(IJSRuntime js) : EvidenceRecorder(js)
{
    public EvidenceSupport Support { get; set; } = new(true, true, false, true);
    public EvidenceStart StartAnswer { get; set; } = new(true, null);
    /// <summary>What a stop reads; its duration is replaced by the time the test says has passed.</summary>
    public EvidenceReading Reading { get; set; } = Sample();
    public int ElapsedMs { get; set; }
    public byte[] ClipBytes { get; set; } = [0x1A, 0x45, 0xDF, 0xA3, 1, 2, 3];
    public List<string> Calls { get; } = [];
    private bool _kept;

    public static EvidenceReading Sample(double peakG = 5.0000001, double jerk = 265.1650429449553, double? audioPeak = -6.04, double? audioMean = -30.2) =>
        new(0, "video/webm", 420_000, "granted", 3, peakG, jerk, audioPeak, audioMean, "ok",
            [new(59.335, 18.063, new DateTime(2025, 6, 10, 12, 0, 0, DateTimeKind.Utc), 10), new(59.336, 18.063, new DateTime(2025, 6, 10, 12, 0, 5, DateTimeKind.Utc), 10)]);

    public override Task<EvidenceSupport> SupportAsync() => Task.FromResult(Support);

    public override Task<EvidenceStart> StartAsync<T>(DotNetObjectReference<T> target, int maxMs, ElementReference preview)
    {
        Calls.Add($"start {maxMs}");
        return Task.FromResult(StartAnswer);
    }

    public override Task<EvidenceReading?> StopAsync(bool keep)
    {
        Calls.Add($"stop {keep}");
        _kept = keep;
        return Task.FromResult<EvidenceReading?>(Reading with { DurationMs = ElapsedMs, SizeBytes = keep ? Reading.SizeBytes : 0 });
    }

    public override Task<byte[]?> ClipAsync() => Task.FromResult(_kept ? ClipBytes : null);

    public override Task DiscardAsync()
    {
        Calls.Add("discard");
        _kept = false;
        return Task.CompletedTask;
    }
}
