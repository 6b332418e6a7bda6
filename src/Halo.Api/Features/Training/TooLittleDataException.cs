namespace Halo.Api.Features.Training;

/// <summary>
/// A model cannot be trained because the store holds too few examples in its window: a state of the data (a new
/// install, a region without a feed yet), not a fault. Logged as a warning without a stack trace; the previous model
/// keeps serving and the failure is recorded in the registry and the retrain job as before.
/// </summary>
public sealed class TooLittleDataException(string message) : InvalidOperationException(message)
{
    /// <summary>How a training failure is logged: too little data is a warning, anything else an error.</summary>
    public static LogLevel LevelOf(Exception e) => e is TooLittleDataException ? LogLevel.Warning : LogLevel.Error;

    /// <summary>The exception to log with: none for too little data (its message says it all), else the exception.</summary>
    public static Exception? TraceOf(Exception e) => e is TooLittleDataException ? null : e;
}
