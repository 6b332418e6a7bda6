namespace Halo.App.Components;

/// <summary>What the report form holds, and its checks before anything is sent.</summary>
public sealed class ReportFormModel
{
    public string Description { get; set; } = "";
    public string? Category { get; set; }
    public double? Latitude { get; set; }
    public double? Longitude { get; set; }
    public double? AccuracyM { get; set; }
    public DateTime OccurredAtLocal { get; set; }
    /// <summary>1 (minor) to 5 (acute danger), or null when the reporter does not say.</summary>
    public int? Severity { get; set; }

    /// <summary>Field → message key (see Strings), empty when the form can be sent.</summary>
    public Dictionary<string, string> Validate(DateTime nowLocal)
    {
        var errors = new Dictionary<string, string>();
        if (string.IsNullOrWhiteSpace(Description)) errors["description"] = "validation.description";
        if (string.IsNullOrEmpty(Category)) errors["category"] = "validation.category";
        if (Latitude is null || Longitude is null) errors["location"] = "validation.location";
        if (OccurredAtLocal > nowLocal.AddMinutes(5)) errors["occurred_at"] = "validation.time.future";
        if (Severity is < 1 or > 5) errors["severity"] = "validation.severity";
        return errors;
    }
}
