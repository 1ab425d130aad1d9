// Pose Studio's service worker: the static shell only, so that the studio opens (and
// installs) like an app. It caches the page, its hashed build assets, the manifest and
// the icons, and nothing else: no /api, no /socket.io, no /agent, no /share, nothing
// that holds a person's data. Every other request goes to the network untouched.
const CACHE = "pose-studio-shell-v1";
const scope = new URL(self.registration.scope);
const base = scope.pathname; // "/" or "/studio/"
const SHELL = ["", "index.html", "manifest.webmanifest", "icons/icon.svg", "icons/icon-192.png"];

/** Whether a same-origin GET path is part of the shell (only these are ever cached). */
function isShell(url) {
  if (url.origin !== scope.origin || !url.pathname.startsWith(base)) return false;
  const path = url.pathname.slice(base.length);
  return (
    path === "" ||
    path === "index.html" ||
    path === "manifest.webmanifest" ||
    /^assets\/[\w.-]+\.(js|css|wasm|woff2?|svg|png)$/.test(path) ||
    /^icons\/[\w.-]+\.(png|svg)$/.test(path)
  );
}

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) => cache.addAll(SHELL.map((p) => base + p)))
      .then(() => self.skipWaiting()),
  );
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
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (request.mode === "navigate" && url.origin === scope.origin && url.pathname === base) {
    // The page: the network first (a new build shows at once), the cached one offline.
    // Keyed without the query, so that a `?token=` in the address is never stored.
    event.respondWith(
      fetch(request)
        .then((response) => {
          if (response.ok) {
            const copy = response.clone();
            void caches.open(CACHE).then((cache) => cache.put(base, copy));
          }
          return response;
        })
        .catch(() => caches.match(base).then((hit) => hit || Response.error())),
    );
    return;
  }
  if (url.search || !isShell(url)) return;
  // Hashed assets never change under one name: the cache first.
  event.respondWith(
    caches.match(request).then(
      (hit) =>
        hit ||
        fetch(request).then((response) => {
          if (response.ok && response.type === "basic") {
            const copy = response.clone();
            void caches.open(CACHE).then((cache) => cache.put(request, copy));
          }
          return response;
        }),
    ),
  );
});
