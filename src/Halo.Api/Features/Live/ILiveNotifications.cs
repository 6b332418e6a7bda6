namespace Halo.Api.Features.Live;

/// <summary>Whether a row is new or changed.</summary>
public enum LiveChange { Created, Updated }

/// <summary>
/// What the features that change incidents, clusters and forecasts tell the live hub, after their transaction has
/// committed. Calls only queue the change (never block, never throw): the publisher reads the row back and sends the
/// public view of it, so a caller cannot leak anything the public reads would not show.
/// </summary>
public interface ILiveNotifications
{
    void IncidentChanged(Guid incidentId, LiveChange change);

    void PredictionsUpdated(string modelVersion, DateTime computedAt);
}

/// <summary>Told about each published incident (after the hub messages): the alerts feature's entry point.</summary>
public interface ILiveIncidentObserver
{
    Task OnIncidentAsync(Incidents.IncidentDto incident, LiveChange change, CancellationToken ct);
}
