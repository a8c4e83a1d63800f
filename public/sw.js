// The playground's service worker: the app shell (HTML, scripts, styles, sample corpus) is served from the network
// when online and from this cache when offline. Model files are not handled here: the SDK keeps them in its own
// Cache API store with ETag revalidation; the index lives in IndexedDB.
const SHELL = 'colbert-web-playground-shell-v1';

self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));

self.addEventListener('fetch', (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== 'GET' || url.origin !== self.location.origin) return;
  if (url.pathname.includes('/models/') || url.pathname.startsWith('/__')) return;
  event.respondWith(
    (async () => {
      const cache = await caches.open(SHELL);
      try {
        const response = await fetch(event.request);
        if (response.ok) await cache.put(event.request, response.clone());
        return response;
      } catch (error) {
        // Vary headers (the dev server's) must not hide a cached copy; a cache-busting query is a last resort.
        const cached =
          (await cache.match(event.request, { ignoreVary: true })) ?? (await cache.match(event.request, { ignoreVary: true, ignoreSearch: true }));
        if (cached) return cached;
        throw error;
      }
    })(),
  );
});
