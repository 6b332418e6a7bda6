// Registers the service worker and raises the update prompt (the Blazor UI renders it; see UpdatePrompt.razor).
(function () {
    // .NET starts after the early map's first frame with data (the runtime's start-up would otherwise compete with
    // it for the CPU), at once when the early map could not start, or after 1 s at the latest; on other tabs at once.
    // <html data-halo-start> says how far the start got: waiting, starting, started (the first render replaced the
    // static shell) or failed (then the shell says so instead of "laddar…").
    const root = document.documentElement;
    const app = document.getElementById('app');
    root.dataset.haloStart = 'waiting';
    const shellReplaced = () => !app || !app.querySelector('.boot');
    const watch = new MutationObserver(() => {
        if (!shellReplaced()) return;
        watch.disconnect();
        if (root.dataset.haloStart !== 'failed') root.dataset.haloStart = 'started';
    });
    if (app) watch.observe(app, { childList: true, subtree: true });

    function startFailed(error) {
        console.error('Halo could not start', error);
        if (shellReplaced()) return; // .NET rendered after all; its own error banner reports what went wrong later
        watch.disconnect();
        root.dataset.haloStart = 'failed';
        const status = app.querySelector('.boot');
        status.setAttribute('role', 'alert');
        status.textContent = 'Halo kunde inte starta / Halo could not start. ';
        const reload = document.createElement('a');
        reload.href = '';
        reload.className = 'boot-reload';
        reload.textContent = 'Ladda om / Reload';
        status.append(reload);
    }

    // Blazor.start() does not reject when the runtime cannot load (its promise stays pending); the failure only
    // surfaces as an unhandled rejection, "Failed to start platform. Reason: …".
    window.addEventListener('unhandledrejection', e => {
        const reason = e.reason && e.reason.message !== undefined ? e.reason.message : String(e.reason);
        if (root.dataset.haloStart === 'starting' && /Failed to start platform/.test(reason)) startFailed(e.reason);
    });

    let started = false;
    function startBlazor() {
        if (started) return;
        started = true;
        root.dataset.haloStart = 'starting';
        // A missing blazor.webassembly.js (ReferenceError) ends up here, and a rejected start would.
        try { Promise.resolve(Blazor.start()).catch(startFailed); } catch (e) { startFailed(e); }
    }
    if (/^\/(report|profile|feed|alerts)\/?$/.test(location.pathname)) startBlazor();
    else {
        document.addEventListener('halo:map-ready', startBlazor, { once: true });
        document.addEventListener('halo:map-failed', startBlazor, { once: true });
        setTimeout(startBlazor, 1000);
    }

    window.haloPwa = {
        waiting: null,
        listeners: [],
        onUpdate(cb) { this.listeners.push(cb); if (this.waiting) cb(); },
        applyUpdate() { if (this.waiting) this.waiting.postMessage('skip-waiting'); },
    };
    function announce(worker) {
        window.haloPwa.waiting = worker;
        window.haloPwa.listeners.forEach(cb => cb());
    }
    if (!('serviceWorker' in navigator)) return;
    let reloading = false;
    navigator.serviceWorker.addEventListener('controllerchange', () => {
        // Only reload when a waiting worker was accepted by the user, not on the first install.
        if (reloading || !window.haloPwa.waiting) return;
        reloading = true;
        location.reload();
    });
    navigator.serviceWorker.register('service-worker.js', { updateViaCache: 'none' }).then(reg => {
        if (!reg) return; // registration refused without an error (e.g. service workers blocked by policy)
        if (reg.waiting && navigator.serviceWorker.controller) announce(reg.waiting);
        reg.addEventListener('updatefound', () => {
            const w = reg.installing;
            if (!w) return;
            w.addEventListener('statechange', () => {
                if (w.state === 'installed' && navigator.serviceWorker.controller) announce(w);
            });
        });
    }).catch(e => console.warn('Service worker not registered', e));
    // The dismiss button of Blazor's error banner (no inline handlers: the CSP forbids them).
    document.addEventListener('click', e => {
        if (e.target && e.target.matches && e.target.matches('#blazor-error-ui .dismiss'))
            document.getElementById('blazor-error-ui').style.display = 'none';
    });
})();
