// Registers the service worker and raises the update prompt (the Blazor UI renders it; see UpdatePrompt.razor).
(function () {
    // .NET starts after the early map's first frame with data (the runtime's start-up would otherwise compete with
    // it for the CPU), or after 1 s at the latest; on other tabs at once.
    let started = false;
    function startBlazor() {
        if (started) return;
        started = true;
        Blazor.start();
    }
    if (/^\/(report|profile)\/?$/.test(location.pathname)) startBlazor();
    else {
        document.addEventListener('halo:map-ready', startBlazor, { once: true });
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
