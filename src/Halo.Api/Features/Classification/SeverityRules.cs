using System.Text.RegularExpressions;
using Halo.Api.Features.Taxonomy;

namespace Halo.Api.Features.Classification;

/// <summary>
/// Suggested severity (1–5): the category's default, raised by aggravating words and by the sensors, lowered by
/// mitigating words; at most +2 from text and +1 from sensors. The rules are documented in docs/classification.md.
/// </summary>
public static partial class SeverityRules
{
    public static int Suggest(string category, string description, SensorSummary? sensors)
    {
        var severity = HaloTaxonomy.ByCode.TryGetValue(category, out var c) ? c.DefaultSeverity : 1;
        var text = description.ToLowerInvariant();

        var raise = 0;
        if (Lethal().IsMatch(text)) raise = 2;                       // someone died or was shot
        else if (Aggravating().IsMatch(text)) raise = 1;            // weapon, "grov", serious injury
        if (raise == 0 && Mitigating().IsMatch(text)) severity -= 1; // only material damage, nobody hurt
        severity += raise;

        if (sensors is not null && (sensors.ImpactDetected == true
            || sensors.PeakG >= SensorSummary.HardImpactG
            || sensors.AudioPeakDbfs >= SensorSummary.LoudPeakDbfs))
            severity += 1;

        return Math.Clamp(severity, 1, 5);
    }

    // Word stems, matched at word starts so Swedish inflections and compounds hit ("skjuten", "knivhuggen").
    [GeneratedRegex(@"\b(skjut|skjuten|skjutna|skott|död|döda|dödad|avliden|omkom|mörda|mord|dråp|livshotande|shot|killed|dead|murder)")]
    private static partial Regex Lethal();

    [GeneratedRegex(@"\b(grov|grovt|grova|kniv|vapen|pistol|machete|yxa|allvarligt skadad|allvarlig|svårt skadad|blöd|sjukhus|medvetslös|gisslan|explosion|spräng|knife|gun|weapon|seriously injured|bleeding|unconscious)")]
    private static partial Regex Aggravating();

    [GeneratedRegex(@"\b(ingen skadad|inga skadade|ingen person skadad|ingen kom till skada|endast plåtskador|plåtskada|no one (was )?(hurt|injured)|nobody (was )?(hurt|injured))")]
    private static partial Regex Mitigating();
}
