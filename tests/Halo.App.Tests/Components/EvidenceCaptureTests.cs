using Halo.App.Components;
using Halo.App.Services;
using Microsoft.Extensions.DependencyInjection;

namespace Halo.App.Tests.Components;

/// <summary>The "Record evidence" control's states: idle, recording, kept, too short, removed, denied, unsupported.</summary>
public sealed class EvidenceCaptureTests : BunitContext
{
    private readonly FakeEvidenceRecorder _recorder;
    private readonly Strings _strings = new();
    private CapturedEvidence? _value;

    public EvidenceCaptureTests()
    {
        _recorder = new FakeEvidenceRecorder(JSInterop.JSRuntime);
        _strings.SetLanguage("en");
        Services.AddSingleton<EvidenceRecorder>(_recorder);
        Services.AddSingleton(_strings);
    }

    private IRenderedComponent<EvidenceCapture> RenderCapture() =>
        Render<EvidenceCapture>(p => p.Add(x => x.ValueChanged, v => _value = v));

    private static string State(IRenderedComponent<EvidenceCapture> cut) => cut.Find("[data-testid=evidence]").GetAttribute("data-state")!;

    [Fact]
    public void NothingIsRecordedBeforeTheTapAndTheTextSaysWhatWillBeCaptured()
    {
        var cut = RenderCapture();

        Assert.Equal("idle", State(cut));
        Assert.Empty(_recorder.Calls);
        var what = cut.Find("#evidence-what").TextContent;
        Assert.Contains("5–10 seconds of video and sound", what);
        Assert.Contains("motion sensor", what);
        Assert.Contains("position", what);
        Assert.Equal("evidence-what", cut.Find("[data-testid=evidence-record]").GetAttribute("aria-describedby"));
        Assert.True(cut.Find("video.evidence-preview").HasAttribute("hidden"));
    }

    [Fact]
    public void TheTapStartsARecordingThatShowsItsTimeAndAStopButton()
    {
        var cut = RenderCapture();

        cut.Find("[data-testid=evidence-record]").Click();
        cut.InvokeAsync(() => cut.Instance.OnEvidenceTick(3_200));

        Assert.Equal(["start 10000"], _recorder.Calls);
        Assert.Equal("recording", State(cut));
        Assert.Contains("3 of 10 s", cut.Find("[data-testid=evidence-recording]").TextContent);
        Assert.False(cut.Find("video.evidence-preview").HasAttribute("hidden"));
        // Before the 5 s minimum the button cancels; after it, it stops and keeps the clip.
        Assert.Contains("Cancel", cut.Find("[data-testid=evidence-stop]").TextContent);
        cut.InvokeAsync(() => cut.Instance.OnEvidenceTick(6_000));
        Assert.Equal("Stop recording", cut.Find("[data-testid=evidence-stop]").TextContent.Trim());
    }

    [Fact]
    public void StoppingAfterTheMinimumKeepsTheClipAndShowsTheSummary()
    {
        var cut = RenderCapture();
        cut.Find("[data-testid=evidence-record]").Click();
        _recorder.ElapsedMs = 6_400;
        cut.InvokeAsync(() => cut.Instance.OnEvidenceTick(6_400));

        cut.Find("[data-testid=evidence-stop]").Click();

        Assert.Equal("done", State(cut));
        Assert.Contains("stop True", _recorder.Calls);
        var summary = cut.Find("[data-testid=evidence-summary]");
        Assert.Equal("5", summary.GetAttribute("data-peak-g"));
        Assert.Equal("true", summary.GetAttribute("data-impact"));
        Assert.Equal("265.17", summary.GetAttribute("data-jerk"));
        Assert.Equal("-6", summary.GetAttribute("data-audio-peak"));
        Assert.Equal("-30.2", summary.GetAttribute("data-audio-mean"));
        Assert.Equal("111.2", summary.GetAttribute("data-track-m"));
        Assert.Equal("5.00 g", cut.Find("[data-testid=evidence-peak-g]").TextContent);
        Assert.Equal("Yes", cut.Find("[data-testid=evidence-impact]").TextContent);
        Assert.Equal("111 m (2 positions)", cut.Find("[data-testid=evidence-track]").TextContent);
        Assert.NotNull(_value);
        Assert.Equal(6.4, _value!.Summary.DurationS);
    }

    [Fact]
    public void TheTimeLimitStopsTheRecordingByItself()
    {
        var cut = RenderCapture();
        cut.Find("[data-testid=evidence-record]").Click();
        _recorder.ElapsedMs = 10_000;

        cut.InvokeAsync(() => cut.Instance.OnEvidenceTimeUp());

        Assert.Equal("done", State(cut));
        Assert.Equal(["start 10000", "stop True"], _recorder.Calls);
        Assert.NotNull(_value);
    }

    [Fact]
    public void StoppingBeforeTheMinimumKeepsNothing()
    {
        var cut = RenderCapture();
        cut.Find("[data-testid=evidence-record]").Click();
        _recorder.ElapsedMs = 2_000;
        cut.InvokeAsync(() => cut.Instance.OnEvidenceTick(2_000));

        cut.Find("[data-testid=evidence-stop]").Click();

        Assert.Equal("tooshort", State(cut));
        Assert.Equal(["start 10000", "stop False", "discard"], _recorder.Calls);
        Assert.Null(_value);
        Assert.Contains("before 5 s", cut.Find("[data-testid=evidence-message]").TextContent);
        Assert.NotNull(cut.Find("[data-testid=evidence-record]")); // and can be tried again
    }

    [Fact]
    public void RemovingTheEvidenceDropsTheClip()
    {
        var cut = RenderCapture();
        cut.Find("[data-testid=evidence-record]").Click();
        _recorder.ElapsedMs = 7_000;
        cut.InvokeAsync(() => cut.Instance.OnEvidenceTimeUp());

        cut.Find("[data-testid=evidence-remove]").Click();

        Assert.Equal("removed", State(cut));
        Assert.Equal("discard", _recorder.Calls[^1]);
        Assert.Null(_value);
    }

    [Fact]
    public void ADeniedCameraSaysSoAndTheReportCanGoWithoutEvidence()
    {
        _recorder.StartAnswer = new EvidenceStart(false, "denied");
        var cut = RenderCapture();

        cut.Find("[data-testid=evidence-record]").Click();

        Assert.Equal("denied", State(cut));
        var message = cut.Find("[data-testid=evidence-message]");
        Assert.Equal("alert", message.GetAttribute("role"));
        Assert.Contains("not allowed to use the camera or microphone", message.TextContent);
        Assert.Contains("send the report without evidence", message.TextContent);
        Assert.Null(_value);
    }

    [Fact]
    public void ABrowserThatCannotRecordOffersNoButton()
    {
        _recorder.Support = new EvidenceSupport(false, false, false, true);
        var cut = RenderCapture();

        Assert.Equal("unsupported", State(cut));
        Assert.Empty(cut.FindAll("[data-testid=evidence-record]"));
        Assert.Contains("cannot record video", cut.Find("[data-testid=evidence-message]").TextContent);
    }

    [Fact]
    public void MissingSensorsAreNamedInTheSummaryAndLeftOutOfTheReport()
    {
        _recorder.Reading = FakeEvidenceRecorder.Sample() with { MotionState = "denied", MotionSamples = 0, PeakG = null, Jerk = null, GeoState = "denied", Track = [] };
        var cut = RenderCapture();
        cut.Find("[data-testid=evidence-record]").Click();
        _recorder.ElapsedMs = 10_000;

        cut.InvokeAsync(() => cut.Instance.OnEvidenceTimeUp());

        Assert.Equal("motion sensor not allowed", cut.Find("[data-testid=evidence-peak-g]").TextContent);
        Assert.Equal("location not allowed", cut.Find("[data-testid=evidence-track]").TextContent);
        var sensors = _value!.Sensors;
        Assert.Null(sensors.Accelerometer);
        Assert.Null(sensors.GpsTrack);
        Assert.Equal(-6.0, sensors.Audio!.PeakDbfs);
    }

    [Fact]
    public void TheSummaryFlagsAnImpactFromFourG()
    {
        Assert.True(EvidenceSummary.From(FakeEvidenceRecorder.Sample(peakG: 4.0)).ImpactDetected);
        Assert.False(EvidenceSummary.From(FakeEvidenceRecorder.Sample(peakG: 3.99)).ImpactDetected);
        // The mean level sent never exceeds the peak (the API refuses that).
        var s = EvidenceSummary.From(FakeEvidenceRecorder.Sample(audioPeak: -20, audioMean: -19.96));
        Assert.True(EvidenceSummary.ToSensors(s, []).Audio!.MeanDbfs <= -20);
    }
}
