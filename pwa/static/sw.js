// Làng Số service worker. VERSION and PRECACHE are written in by the server (/sw.js).
// Shell: precached, versioned; pages network-first with a short timeout; static files
// cache-first; lesson images from their own cache; API and user data never cached here.

import { backgroundSync } from "/static/app/background.js";

const SHELL = `langso-shell-${VERSION}`;
const MEDIA = "langso-media";
const NETWORK_TIMEOUT_MS = 3000;

// From the server, never the HTTP cache: a file the browser kept from the old version would
// otherwise be precached into the new one.
self.addEventListener("install", (event) => {
  const fresh = PRECACHE.map((url) => new Request(url, { cache: "reload" }));
  event.waitUntil(caches.open(SHELL).then((cache) => cache.addAll(fresh)));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      const names = await caches.keys();
      await Promise.all(
        names.filter((n) => n.startsWith("langso-shell-") && n !== SHELL).map((n) => caches.delete(n)),
      );
      await self.clients.claim();
    })(),
  );
});

self.addEventListener("message", (event) => {
  if (event.data === "skip-waiting") self.skipWaiting();
});

self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== "GET" || url.origin !== self.location.origin) return;
  if (url.pathname.startsWith("/api/")) return;
  if (url.pathname === "/app" || url.pathname === "/app/") {
    event.respondWith(networkFirst(event.request, "/app"));
  } else if (url.pathname.startsWith("/app/i18n/") || url.pathname === "/manifest.webmanifest") {
    event.respondWith(networkFirst(event.request, url.pathname));
  } else if (url.pathname.startsWith("/static/")) {
    event.respondWith(cacheFirst(event.request, SHELL));
  } else if (url.pathname.startsWith("/media/lessons/")) {
    event.respondWith(cacheFirst(event.request, MEDIA));
  }
});

async function networkFirst(request, cacheKey) {
  const cache = await caches.open(SHELL);
  try {
    const response = await withTimeout(fetch(request), NETWORK_TIMEOUT_MS);
    if (response.ok) await cache.put(cacheKey, response.clone());
    return response;
  } catch {
    const cached = await cache.match(cacheKey);
    if (cached) return cached;
    throw new Error("offline and not cached");
  }
}

async function cacheFirst(request, cacheName) {
  const cache = await caches.open(cacheName);
  const cached = await cache.match(request, { ignoreSearch: true });
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok && cacheName === MEDIA) await cache.put(request, response.clone());
  return response;
}

function withTimeout(promise, ms) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("timeout")), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

self.addEventListener("sync", (event) => {
  if (event.tag !== "langso-sync") return;
  event.waitUntil(
    (async () => {
      const windows = await self.clients.matchAll({ type: "window" });
      if (windows.length) {
        windows.forEach((client) => client.postMessage("sync"));
      } else {
        await backgroundSync(VERSION);
      }
    })(),
  );
});

// Web push (docs/notifications.md): show the message; a tap opens the app at its url.
self.addEventListener("push", (event) => {
  let data = {};
  try {
    data = event.data ? event.data.json() : {};
  } catch {
    data = { body: event.data ? event.data.text() : "" };
  }
  event.waitUntil(
    self.registration.showNotification(data.title || "Làng Số", {
      body: data.body || "",
      icon: "/static/icons/icon-192.png",
      lang: data.lang || "vi",
      tag: data.tag || undefined,
      data: { url: data.url || "/app" },
    }),
  );
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  let url = new URL(event.notification.data?.url || "/app", self.location.origin);
  if (url.origin !== self.location.origin) url = new URL("/app", self.location.origin);
  event.waitUntil(
    (async () => {
      const windows = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
      const open = windows.find((client) => new URL(client.url).pathname.startsWith("/app"));
      if (!open) return self.clients.openWindow(url.href);
      open.postMessage({ type: "open", url: url.href });
      return open.focus();
    })(),
  );
});
