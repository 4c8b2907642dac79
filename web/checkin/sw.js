// The check-in app's service worker: the app shell from the cache, so the app opens with no
// network; refreshed in the background whenever the network is there (the server answers
// unchanged files with 304 through their ETags). The API is never cached here: the bundle
// lives in IndexedDB and scans must reach the server or the queue.

const CACHE = "hoithao-checkin-v1";
const SHELL = [
  "./",
  "app.js",
  "outcome.js",
  "messages.js",
  "rules.js",
  "scanner.js",
  "store.js",
  "sync.js",
  "checkin.css",
  "manifest.webmanifest",
  "icon.svg",
  "vendor/jsQR.js",
  "../shared/style.css",
  "../shared/i18n.js",
  "../shared/dom.js",
  "../shared/api.js",
];

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((k) => k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== "GET" || url.origin !== location.origin || url.pathname.startsWith("/api/")) return;
  if (!url.pathname.startsWith("/app/")) return;
  // Stale while revalidate: answer from the cache at once, refresh it from the network.
  event.respondWith(
    caches.open(CACHE).then(async (cache) => {
      const key = url.pathname.endsWith("/") ? url.pathname : event.request;
      const cached = await cache.match(key, { ignoreSearch: true });
      const fresh = fetch(event.request)
        .then((response) => {
          if (response.ok) cache.put(key, response.clone());
          return response;
        })
        .catch(() => cached);
      return cached || fresh;
    }),
  );
});
