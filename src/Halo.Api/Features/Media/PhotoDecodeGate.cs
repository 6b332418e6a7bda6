using Microsoft.Extensions.Options;

namespace Halo.Api.Features.Media;

/// <summary>
/// Limits how many photos are decoded at once (<see cref="MediaOptions.DecodeSlots"/>). A decode is CPU-bound and holds
/// a bitmap of up to 4 bytes × <see cref="MediaOptions.MaxPhotoPixels"/>, so without a limit a burst of large photos
/// takes all cores and memory. An upload that waits longer than <see cref="MediaOptions.DecodeWaitSeconds"/> is refused.
/// </summary>
public sealed class PhotoDecodeGate(IOptions<MediaOptions> options, TimeProvider clock) : IDisposable
{
    private readonly SemaphoreSlim _slots = new(options.Value.DecodeSlots, options.Value.DecodeSlots);
    private int _waiting;

    /// <summary>Uploads waiting for a slot now.</summary>
    public int Waiting => Volatile.Read(ref _waiting);

    /// <summary>A slot (dispose it to free it), or null when none was free within the wait.</summary>
    public async Task<IDisposable?> EnterAsync(CancellationToken ct)
    {
        if (_slots.Wait(0, CancellationToken.None)) return new Slot(_slots);
        Interlocked.Increment(ref _waiting);
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(options.Value.DecodeWaitSeconds), clock);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, timeout.Token);
            await _slots.WaitAsync(linked.Token);
            return new Slot(_slots);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return null;
        }
        finally
        {
            Interlocked.Decrement(ref _waiting);
        }
    }

    public void Dispose() => _slots.Dispose();

    private sealed class Slot(SemaphoreSlim slots) : IDisposable
    {
        private int _released;
        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0) slots.Release();
        }
    }
}
