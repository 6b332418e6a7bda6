using Microsoft.AspNetCore.SignalR;

namespace Halo.Api.Features.Live;

/// <summary>
/// Logs what a hub method throws, by whose fault it is. SignalR's dispatcher logs every such exception at Error with
/// its stack trace, a <see cref="HubException"/> too, although that is the caller's bad input and the caller gets its
/// message: any client could fill an operator's error log. The shipped settings silence the dispatcher's category
/// (appsettings.json), and this filter logs in its place: a refusal, or a call cut short by its caller leaving, at
/// Debug; anything else at Error with its trace.
/// </summary>
public sealed class HubErrorLogging(ILogger<HubErrorLogging> logger) : IHubFilter
{
    public async ValueTask<object?> InvokeMethodAsync(HubInvocationContext invocation, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        try
        {
            return await next(invocation);
        }
        catch (HubException e)
        {
            logger.LogDebug("Hub method {HubMethod} refused its call: {Reason}", invocation.HubMethodName, e.Message);
            throw;
        }
        catch (OperationCanceledException) when (invocation.Context.ConnectionAborted.IsCancellationRequested)
        {
            // The caller went away mid-call: nothing failed.
            logger.LogDebug("Hub method {HubMethod} stopped: its connection closed", invocation.HubMethodName);
            throw;
        }
        catch (Exception e)
        {
            logger.LogError(e, "Failed to invoke hub method {HubMethod}.", invocation.HubMethodName);
            throw;
        }
    }
}
