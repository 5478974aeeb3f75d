// Jaga Lapangan's service worker: keeps the app (shell, scripts, words) so it opens
// with no connection. The shell is served from the cache first and refreshed behind;
// the API is never cached: records go through the page's queue.
var CACHE = "jaga-lapangan-__VERSION__";
var PRECACHE = __PRECACHE__;

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(CACHE).then(function (cache) {
    return cache.addAll(PRECACHE);
  }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (n) {
      return n.indexOf("jaga-lapangan-") === 0 && n !== CACHE;
    }).map(function (n) { return caches.delete(n); }));
  }).then(function () { return self.clients.claim(); }));
});

self.addEventListener("fetch", function (event) {
  var url = new URL(event.request.url);
  if (event.request.method !== "GET" || url.origin !== location.origin) { return; }
  if (url.pathname.indexOf("/api/") === 0) { return; }
  var key = url.pathname === "/lapangan" ? "/lapangan" : url.pathname;
  if (PRECACHE.indexOf(key) < 0) { return; }
  event.respondWith(caches.open(CACHE).then(function (cache) {
    return cache.match(key).then(function (kept) {
      var fresh = fetch(event.request).then(function (response) {
        if (response.ok) { cache.put(key, response.clone()); }
        return response;
      });
      if (kept) {
        event.waitUntil(fresh.catch(function () { return null; }));
        return kept;
      }
      return fresh;
    });
  }));
});
