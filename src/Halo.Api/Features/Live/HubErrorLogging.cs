using Microsoft.AspNetCore.SignalR;

namespace Halo.Api.Features.Live;

/// <summary>
/// Logs what a hub method throws, by whose fault it is. SignalR's dispatcher logs every such exception at Error with
/// its stack trace, a <see cref="HubException"/> too, although that is the caller's bad input and the caller gets its
/// message: any client could fill an operator's error log. The shipped settings silence the dispatcher's category
/// (appsettings.json), and this filter logs in its place: a refusal at Debug, anything else at Error with its trace.
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
        catch (Exception e)
        {
            logger.LogError(e, "Failed to invoke hub method {HubMethod}.", invocation.HubMethodName);
            throw;
        }
    }
}
