// The driver's tour on a phone: the day's map, the next stops first and
// the finished ones folded. The tour is kept in localStorage once loaded,
// so it stays readable without signal; each report ("done" with what was
// actually collected or delivered and who handed it over, or "failed" with
// its reason) goes into an outbox sent in order when the phone is online
// again, its photo and signature after it. The server takes a repeated
// report as the same one, so sending twice is safe. What the driver types
// or draws before reporting is kept as a draft per stop, so a refresh of
// the page (each report re-draws it) loses nothing.

import { el, hm, num, devices, longDay } from './format.js';
import { t, count, loadLang, picker } from './i18n.js';
import { createMap } from './map.js';
import { photoInput, signaturePad, sendProof } from './proofs.js';

/** Why a stop failed, as the API takes it (docs/api.md). */
const REASONS = ['absent', 'closed', 'not_ready', 'refused', 'no_access', 'vehicle_full', 'other'];
let dayMap = null;

const token = location.hash.slice(1);
const TOUR = `tournee.tour.${token}`;
const OUTBOX = `tournee.outbox.${token}`;
const ARRIVED = `tournee.arrived.${token}`;
const $ = (id) => document.getElementById(id);
let view = null;
// Whether this page has sent a report: "all sent" only means something then.
let outboxSent = false;

const outbox = () => JSON.parse(localStorage.getItem(OUTBOX) || '[]');
const saveOutbox = (items) => localStorage.setItem(OUTBOX, JSON.stringify(items));
// When the driver said they arrived at each stop (stop → ISO time).
const arrivals = () => JSON.parse(localStorage.getItem(ARRIVED) || '{}');
// What is typed or drawn at each stop before it is reported.
const drafts = new Map();
const draft = (n) => drafts.get(n) || drafts.set(n, {}).get(n);
// The phone's last position, when it gives one (never asked for again).
let lastFix = null;
const FIX_MAX_AGE_MS = 5 * 60 * 1000;

function showNet() {
  const waiting = outbox().length;
  const net = $('net');
  net.className = `status ${navigator.onLine ? '' : 'warn'}`;
  net.textContent = (navigator.onLine ? '' : t('driver.offline')) +
    (waiting ? count('driver.waiting', waiting) : navigator.onLine && outboxSent ? t('driver.all_sent') : '');
  net.dataset.waiting = String(waiting);
}

async function load() {
  if (!token) {
    $('title').textContent = t('driver.no_tour');
    return;
  }
  try {
    const res = await fetch(`/api/v1/tours/${token}`);
    if (res.status === 404) {
      $('title').textContent = t('driver.dead_link');
      $('summary').textContent = t('driver.ask');
      return;
    }
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    view = await res.json();
    // The base map, as the server's operator set it (none: a blank map).
    try {
      const config = await (await fetch('/api/v1/web-config', { signal: AbortSignal.timeout(3000) })).json();
      view.tile_url = config.tile_url || '';
    } catch {
      view.tile_url = '';
    }
    localStorage.setItem(TOUR, JSON.stringify(view));
  } catch {
    view = JSON.parse(localStorage.getItem(TOUR) || 'null');
    if (!view) {
      $('title').textContent = t('driver.never_opened');
      return;
    }
  }
  render();
  flush();
}

/** The status of stop `n` (1-based): a queued report wins over the server's. */
function statusOf(n) {
  const queued = outbox().filter((u) => u.stop === n).pop();
  if (queued) return { ...queued, queued: true };
  return view.statuses.find((s) => s.stop === n) || null;
}

function render() {
  const tour = view.tour;
  $('title').textContent = `${tour.vehicle} · ${longDay(tour.day)}`;
  // An open tour ends at its last stop (the driver goes home from there).
  $('summary').textContent = t(tour.end_depot ? 'driver.summary' : 'driver.summary_open', {
    depot: view.depot_name || tour.depot, leave: hm(tour.departure), back: hm(tour.return),
    stops: count('count.stop', tour.stops.length), km: num(tour.distance_km),
  });
  // The next stops first; the finished ones folded below.
  const cards = tour.stops.map((s, i) => ({ n: i + 1, card: stopCard(s, i + 1, view.windows?.[i] || []) }));
  const finished = cards.filter(({ n }) => statusOf(n));
  $('stops').replaceChildren(...cards.filter(({ n }) => !statusOf(n)).map(({ card }) => card));
  $('finished').replaceChildren(...finished.map(({ card }) => card));
  $('finished-box').hidden = !finished.length;
  $('finished-title').textContent = count('driver.finished', finished.length);
  if (window.L && !dayMap) {
    try {
      dayMap = createMap($('day-map'), { tile_url: view.tile_url || '' });
      dayMap.draw({ tours: [tour] });
    } catch {
      // No map is no reason to lose the tour.
    }
  }
  showNet();
}

function stopCard(s, n, windows) {
  const st = statusOf(n);
  const [lon, lat] = s.location;
  const d = draft(n);
  const note = el('textarea', { rows: '2', placeholder: t('driver.note'), 'aria-label': t('driver.note_for', { n }), oninput: () => { d.note = note.value; } }, st?.note || d.note || '');
  // What was actually there, prefilled with what was planned.
  const counted = Object.entries(s.kind === 'reload' ? {} : s.devices || {}).map(([device, planned]) => {
    const input = el('input', {
      type: 'number', min: '0', max: '100000', step: '1', inputmode: 'numeric', value: st?.devices?.[device] ?? d.devices?.[device] ?? planned,
      oninput: (e) => { d.devices = { ...d.devices, [device]: e.target.value }; },
      'aria-label': t('driver.count_of', { n, device: count(`device.${device}`, 2).replace(/^2 /, '') }),
    });
    return { device, input, label: el('label', { class: 'count' }, count(`device.${device}`, 2).replace(/^2 /, ''), input) };
  });
  const recipient = el('input', { type: 'text', maxlength: '200', autocomplete: 'name', value: st?.recipient || d.recipient || '', 'aria-label': t('driver.recipient_for', { n }), placeholder: t('driver.recipient'), oninput: () => { d.recipient = recipient.value; } });
  const reason = el('select', { 'aria-label': t('driver.reason_for', { n }), onchange: () => { d.reason = reason.value; } },
    el('option', { value: '' }, t('driver.reason')),
    REASONS.map((r) => el('option', { value: r, selected: (st?.reason || d.reason) === r }, t(`driver.reason.${r}`))));
  const photo = photoInput(n, d.photo, (v) => { d.photo = v; });
  const signature = signaturePad(n, d.signature, (v) => { d.signature = v; });
  const arrived = arrivals()[n];
  const arrive = () => {
    localStorage.setItem(ARRIVED, JSON.stringify({ ...arrivals(), [n]: new Date().toISOString() }));
    render();
  };
  const report = (status) => {
    const items = outbox();
    const now = new Date().toISOString();
    const item = { stop: n, status, note: note.value.trim(), at: now, departed_at: now };
    if (arrived) item.arrived_at = arrived;
    if (lastFix && Date.now() - lastFix.at < FIX_MAX_AGE_MS) item.position = lastFix.position;
    if (photo.value()) item.photo = photo.value();
    if (status === 'done') {
      if (counted.length) {
        item.devices = Object.fromEntries(counted.map(({ device, input }) => [device, Math.max(0, Math.min(100000, Math.round(Number(input.value) || 0)))]));
      }
      if (recipient.value.trim()) item.recipient = recipient.value.trim();
      if (signature.value()) item.signature = signature.value();
    } else {
      item.reason = reason.value || 'other';
    }
    items.push(item);
    try {
      saveOutbox(items);
    } catch {
      // The phone's storage is full: the report goes without its photo.
      items[items.length - 1] = { ...item, photo: undefined, signature: undefined };
      saveOutbox(items);
      alert(t('driver.storage_full'));
    }
    drafts.delete(n);
    render();
    flush();
  };
  const what = s.kind === 'pickup' ? t('driver.collect', { devices: devices(s.devices) })
    : s.kind === 'delivery' ? t('driver.deliver', { devices: devices(s.devices) })
      : s.kind === 'drop' ? t('driver.drop', { devices: devices(s.devices) })
        : t('driver.reload');
  return el('li', { class: `stop ${st ? st.status : ''}`, 'data-stop': n },
    el('div', { class: 'when' }, el('b', {}, hm(s.start)), el('span', {}, t('driver.arrive', { time: hm(s.arrival) }))),
    el('div', { class: 'what' },
      el('h2', {}, `${n}. ${s.name || s.job}`),
      el('p', {}, s.address),
      windows.length ? el('p', { class: 'open' }, t('driver.open', { hours: windows.map((w) => `${hm(w.start)}–${hm(w.end)}`).join(', ') })) : null,
      el('p', { class: 'load' }, what),
      s.contact && (s.contact.name || s.contact.phone) ? el('p', {}, s.contact.name, ' ',
        s.contact.phone ? el('a', { class: 'button', href: `tel:${s.contact.phone.replace(/\s/g, '')}` }, t('driver.call', { phone: s.contact.phone })) : null) : null,
      el('p', { class: 'nav' },
        el('a', { class: 'button', href: `geo:${lat},${lon}?q=${lat},${lon}` }, t('driver.navigate')),
        el('a', { class: 'button light', href: `https://www.openstreetmap.org/?mlat=${lat}&mlon=${lon}#map=18/${lat}/${lon}`, target: '_blank', rel: 'noopener' }, 'OpenStreetMap')),
      st ? el('p', { class: 'state', 'data-testid': `state-${n}` }, st.status === 'done' ? t('driver.state_done') : t('driver.state_failed'), st.queued ? t('driver.queued') : '', st.note ? ` — ${st.note}` : '', st.proofs?.length || st.photo || st.signature ? ` · ${t('driver.with_proofs')}` : '') : null,
      st || s.kind === 'reload' ? null : el('p', { class: 'arrival' }, arrived
        ? el('span', { 'data-testid': `arrived-${n}` }, t('driver.arrived_at', { time: hm(arrived) }))
        : el('button', { type: 'button', class: 'big arrive', onclick: arrive }, t('driver.arrived'))),
      s.kind === 'reload' ? null : el('div', { class: 'actuals' }, counted.map(({ label }) => label), recipient, reason, photo.element, signature.element),
      note,
      el('p', { class: 'actions' },
        el('button', { type: 'button', class: 'big done', onclick: () => report('done') }, t('driver.done')),
        el('button', { type: 'button', class: 'big failed', onclick: () => report('failed') }, t('driver.failed')))));
}

let flushing = false;
/** Sends the outbox in order; stops at the first network failure. */
async function flush() {
  if (flushing || !navigator.onLine) return showNet();
  flushing = true;
  try {
    let items = outbox();
    while (items.length) {
      const u = items[0];
      let res;
      try {
        res = await fetch(`/api/v1/tours/${token}/stops/${u.stop}`, {
          method: 'PUT',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ ...u, stop: undefined, photo: undefined, signature: undefined }),
        });
      } catch {
        break; // no signal after all: keep it for later
      }
      if (res.ok) {
        try {
          for (const kind of ['photo', 'signature']) {
            if (u[kind]) await sendProof(token, u.stop, kind, u[kind]);
          }
        } catch {
          break; // the report is in; its proofs go with the next try
        }
        const saved = await res.json();
        saved.proofs = ['photo', 'signature'].filter((k) => u[k]);
        outboxSent = true;
        view.statuses = view.statuses.filter((s) => s.stop !== u.stop).concat(saved);
        localStorage.setItem(TOUR, JSON.stringify(view));
      } else if (res.status >= 500) {
        break;
      }
      // A 4xx will not get better by resending: drop it.
      items = outbox().slice(1);
      saveOutbox(items);
    }
  } finally {
    flushing = false;
    render();
  }
}

window.addEventListener('online', flush);
// Phones do not always say when the signal is back: try again every few
// seconds while reports wait.
setInterval(() => { if (outbox().length) flush(); }, 3000);
window.addEventListener('offline', showNet);
navigator.geolocation?.watchPosition(
  (p) => { lastFix = { position: [p.coords.longitude, p.coords.latitude], at: Date.now() }; },
  () => {}, { enableHighAccuracy: true, maximumAge: 60000 });
if ('serviceWorker' in navigator) navigator.serviceWorker.register('/sw.js').catch(() => {});
loadLang().then(() => {
  document.getElementById('lang-box')?.append(picker());
  load();
});
