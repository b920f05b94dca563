// Keeps the driver's page itself available without signal: the page and
// its code are served from this cache when the network fails. The tour's
// data lives in localStorage (js/driver.js), not here.
const CACHE = 'tournee-driver-v3';
const FILES = ['/driver.html', '/css/app.css', '/js/driver.js', '/js/proofs.js', '/js/map.js', '/js/format.js', '/js/i18n.js', '/i18n/fr.json', '/i18n/en.json'];

self.addEventListener('install', (e) => e.waitUntil(caches.open(CACHE).then((c) => c.addAll(FILES))));

self.addEventListener('fetch', (e) => {
  const url = new URL(e.request.url);
  if (e.request.method !== 'GET' || url.pathname.startsWith('/api/')) return;
  e.respondWith(
    fetch(e.request)
      .then((res) => {
        const copy = res.clone();
        caches.open(CACHE).then((c) => c.put(url.pathname, copy));
        return res;
      })
      .catch(() => caches.match(url.pathname)),
  );
});
