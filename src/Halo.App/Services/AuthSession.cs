using Halo.Api.Features.Auth;

namespace Halo.App.Services;

/// <summary>
/// The signed-in account. The access token (15 min) stays in memory; the rotating refresh token is kept in
/// localStorage so a reload stays signed in, and is exchanged shortly before the access token expires.
/// </summary>
public sealed class AuthSession(BrowserApi browser, TimeProvider clock)
{
    private const string RefreshKey = "halo.refresh";
    private TokenPair? _tokens;
    private bool _restored;
    private readonly SemaphoreSlim _gate = new(1, 1);

    public UserDto? User { get; private set; }
    public bool SignedIn => User is not null;
    public event Action? Changed;

    public async Task SignedInAsync(AuthResponse auth)
    {
        _tokens = auth.Tokens;
        User = auth.User;
        await browser.SetAsync(RefreshKey, auth.Tokens.RefreshToken);
        Changed?.Invoke();
    }

    public async Task SignOutAsync(HaloApiClient api)
    {
        var refresh = _tokens?.RefreshToken;
        _tokens = null;
        User = null;
        await browser.SetAsync(RefreshKey, null);
        if (refresh is not null) await api.LogoutAsync(refresh);
        Changed?.Invoke();
    }

    /// <summary>Signs back in from a stored refresh token at start (once).</summary>
    public async Task RestoreAsync(HaloApiClient api)
    {
        if (_restored) return;
        _restored = true;
        var stored = await browser.GetAsync(RefreshKey);
        if (string.IsNullOrEmpty(stored)) return;
        var refreshed = await api.RefreshAsync(stored);
        if (!refreshed.Ok || refreshed.Value is null) { await browser.SetAsync(RefreshKey, null); return; }
        _tokens = refreshed.Value;
        await browser.SetAsync(RefreshKey, _tokens.RefreshToken);
        var me = await api.GetMeAsync();
        User = me.Value;
        Changed?.Invoke();
    }

    /// <summary>A valid access token, refreshed when it is about to expire; null when signed out.</summary>
    internal async Task<string?> AccessTokenAsync(HaloApiClient api, CancellationToken ct)
    {
        if (_tokens is null) return null;
        if (_tokens.AccessTokenExpiresAt > clock.GetUtcNow().UtcDateTime.AddSeconds(30)) return _tokens.AccessToken;
        await _gate.WaitAsync(ct);
        try
        {
            if (_tokens is null) return null;
            if (_tokens.AccessTokenExpiresAt > clock.GetUtcNow().UtcDateTime.AddSeconds(30)) return _tokens.AccessToken;
            var refreshed = await api.RefreshAsync(_tokens.RefreshToken, ct);
            if (!refreshed.Ok || refreshed.Value is null)
            {
                _tokens = null;
                User = null;
                await browser.SetAsync(RefreshKey, null);
                Changed?.Invoke();
                return null;
            }
            _tokens = refreshed.Value;
            await browser.SetAsync(RefreshKey, _tokens.RefreshToken);
            return _tokens.AccessToken;
        }
        finally { _gate.Release(); }
    }
}
