// Small browser helpers for Halo's components (storage, languages, geolocation).
export function getItem(key) {
    try { return localStorage.getItem(key); } catch { return null; }
}

export function setItem(key, value) {
    try {
        if (value === null || value === undefined) localStorage.removeItem(key);
        else localStorage.setItem(key, value);
    } catch { /* private mode or full storage: settings just are not remembered */ }
}

export function languages() {
    return Array.from(navigator.languages && navigator.languages.length ? navigator.languages : [navigator.language || 'sv']);
}

export function setDocumentLanguage(lang) { document.documentElement.lang = lang; }

// Resolves to { latitude, longitude, accuracyM, error } and never rejects.
export function locate(timeoutMs, maxAgeMs) {
    return new Promise(resolve => {
        if (!('geolocation' in navigator)) { resolve({ latitude: 0, longitude: 0, accuracyM: 0, error: 'unsupported' }); return; }
        navigator.geolocation.getCurrentPosition(
            p => resolve({ latitude: p.coords.latitude, longitude: p.coords.longitude, accuracyM: p.coords.accuracy, error: null }),
            e => resolve({ latitude: 0, longitude: 0, accuracyM: 0, error: e.code === 1 ? 'denied' : e.code === 3 ? 'timeout' : 'unavailable' }),
            { enableHighAccuracy: true, timeout: timeoutMs, maximumAge: maxAgeMs ?? 30000 });
    });
}

export function pwaOnUpdate(dotnet) {
    if (window.haloPwa) window.haloPwa.onUpdate(() => dotnet.invokeMethodAsync('OnUpdateAvailable'));
}

export function pwaApplyUpdate() { if (window.haloPwa) window.haloPwa.applyUpdate(); }

// Tells .NET when the browser goes on- or offline; returns whether it is online now.
export function watchOnline(dotnet) {
    const tell = () => dotnet.invokeMethodAsync('OnOnlineChanged', navigator.onLine).catch(() => { });
    window.addEventListener('online', tell);
    window.addEventListener('offline', tell);
    return navigator.onLine;
}
