namespace Halo.Api.Features.Incidents;

/// <summary>
/// One incident, official (police, imported open data) or citizen. Positions are WGS84 degrees; times are UTC.
/// </summary>
public sealed class Incident
{
    public Guid Id { get; set; }

    /// <summary><c>polisen</c>, <c>citizen</c> or <c>import:&lt;name&gt;</c>.</summary>
    public required string Source { get; set; }

    /// <summary>The id in the source; unique per source. Null for citizen incidents.</summary>
    public string? ExternalId { get; set; }

    public required string RawType { get; set; }
    public required string Category { get; set; }
    public int Severity { get; set; }

    /// <summary>
    /// Null when the taxonomy knows <see cref="RawType"/>; for a police type it has never seen, how
    /// <see cref="Category"/> was chosen (<see cref="Taxonomy.CategoryInference"/>): such rows are counted by the
    /// ingestion status so an operator can add the type to the mapping.
    /// </summary>
    public string? CategoryInferredBy { get; set; }

    /// <summary>False for summaries and notices: stored, shown in lists, ignored by predictions.</summary>
    public bool IsIncident { get; set; } = true;

    public required string Title { get; set; }
    public string? Summary { get; set; }

    public DateTime OccurredAt { get; set; }
    public DateTime? PublishedAt { get; set; }

    public double Latitude { get; set; }
    public double Longitude { get; set; }
    public string? LocationName { get; set; }

    /// <summary>How far the true position may be from the point, in metres (a municipality's radius for police events).</summary>
    public double LocationPrecisionM { get; set; }

    /// <summary>H3 cell at resolution 9, as the 64-bit index stored signed.</summary>
    public long H3Res9 { get; set; }

    /// <summary>H3 cell at resolution 7, for coarse area lookups.</summary>
    public long H3Res7 { get; set; }

    public string Status { get; set; } = IncidentStatus.Active;

    /// <summary>Official sources are verified by definition; citizen clusters once corroborated or cross-validated.</summary>
    public bool IsVerified { get; set; }

    public string? SourceUrl { get; set; }

    /// <summary>The signed-in user who posted a citizen incident (owner checks); null for official or anonymous ones.</summary>
    public Guid? CreatedByUserId { get; set; }

    /// <summary>
    /// Official incidents only: how many citizen reports matched this incident directly (score above the official
    /// threshold). Their descriptions live on the linked citizen cluster (see docs/reports.md); this row keeps its own data.
    /// </summary>
    public int CitizenCorroborations { get; set; }

    /// <summary>True once a citizen report with photo, audio or video evidence is attached to this incident or its cluster.</summary>
    public bool HasCitizenMedia { get; set; }

    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }

    /// <summary>The raw source payload (JSON or CSV row), kept so parsing can be redone.</summary>
    public string? RawPayload { get; set; }
}

public static class IncidentStatus
{
    public const string Active = "active";
    public const string Unverified = "unverified";
    public const string Corroborated = "corroborated";
    public const string CrossValidated = "cross_validated";
    public const string Rejected = "rejected";
    public const string Deleted = "deleted";
}

public static class IncidentSources
{
    public const string Polisen = "polisen";
    public const string Citizen = "citizen";

    /// <summary>Written by Halo's moderators or admins through POST /api/v1/incidents: an official record in Halo's name.</summary>
    public const string Staff = "staff";
    public const string ImportPrefix = "import:";
}
